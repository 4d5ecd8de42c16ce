/**
 * Identity of stored contacts: content hashes that tell "the same
 * contact again" from "a different contact under the same key", and source keys.
 */

import { hash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { Contact, ContactTarget } from './contact.js';
import { jsonValue, pushJson } from './json-pieces.js';
import { CONTACT_LAYOUT, type LayoutEntry, type StoredField, fieldValue, isList } from './layout.js';

export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}

/** RFC 8785 canonical JSON. */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('value has no canonical JSON form');
  return text;
}

/**
 * Content hashes and fingerprints are internal identities, never shown to an
 * auditor, so they hash a fixed-order JSON array: deterministic, and cheap.
 * Both share one form, ["contact-v1", utr, partnership-or-partners, fields],
 * so a contact on its own record (no partnership, no partner list) has a
 * fingerprint equal to its content hash, and the import computes it once.
 * They are made from a contact, or a stored entry: anything with the
 * identity fields and enquiries.
 */
type IdentityFields = { enquiries: readonly object[] };

/** Of `fields`, those an identity covers: those every entry has, in their order; and those added later, in the order they were added. */
function identityOf(fields: readonly StoredField[]): [StoredField[], StoredField[]] {
  const covered = fields.filter((f) => f.identity);
  return [
    covered.filter((f) => !f.addedLater),
    covered.filter((f) => f.addedLater).sort((a, b) => (a.addedLater ?? 0) - (b.addedLater ?? 0)),
  ];
}

/** `,"key",value` of each field added later that `from` has. */
function pushAddedLater(out: string[], fields: readonly StoredField[], from: object): void {
  for (const field of fields) {
    const value = fieldValue(from, field);
    if (value == null) continue;
    out.push(`,${JSON.stringify(field.key)},`);
    pushJson(out, field, value);
  }
}

/** The identities of a layout's contacts. */
export interface Identities {
  /** What each stored contact says, hashed (128 bits, hex): equal hashes mean the same contact. */
  contentHashes: (contact: Contact, targets: readonly ContactTarget[]) => string[];
  /** The content hash of a contact as it is stored on `target` (an export's entry, say): the hash it was written with. */
  storedContentHash: (contact: IdentityFields, target: ContactTarget) => string;
  /**
   * The fingerprint of an input contact (before partnership expansion), for rows
   * without a contact_ref. `hashes` are the targets' content hashes, reused when
   * the contact is stored on its own record.
   */
  unitFingerprint: (contact: Contact, targets?: readonly ContactTarget[], hashes?: readonly string[]) => string;
}

/** The identities of the contacts of `layout`: the contact layout's, or a copy of it with a field of a test's own. */
export function identitiesOf(layout: readonly LayoutEntry[]): Identities {
  const contactFields = layout.filter((e): e is StoredField => !isList(e));
  const enquiryFields = layout.filter(isList).flatMap((list) => list.items);
  /** What an identity covers: the layout's identity fields, a contact's in its order, each enquiry's in its; those added later after them, in the order they were added. */
  const [identityFields, addedLater] = identityOf(contactFields);
  const [enquiryIdentity, enquiryAddedLater] = identityOf(enquiryFields);
  const utrField = contactFields.find((f) => f.key === 'utr');
  if (!utrField) throw new Error('the layout has no utr field');

  /**
   * The text an identity hashes: `["contact-v1",utr,second,fields]`, where the
   * fields are the layout's identity fields in its order, then the enquiries'
   * (each an array of theirs); a field added later follows its contact's (or
   * its enquiry's) as `"key",value` only where it is set, so contacts stored
   * before it keep their hashes.
   * One array of pieces joined once: the import makes one for every contact.
   */
  const identityText = (contact: IdentityFields, utr: string, second: string | readonly string[] | null): string => {
    const out: string[] = ['["contact-v1",'];
    pushJson(out, utrField, utr);
    out.push(',', jsonValue(second), ',[');
    for (const field of identityFields) {
      pushJson(out, field, fieldValue(contact, field));
      out.push(',');
    }
    out.push('[');
    let open = '[';
    for (const enquiry of contact.enquiries) {
      out.push(open);
      open = ',[';
      enquiryIdentity.forEach((field, i) => {
        if (i > 0) out.push(',');
        pushJson(out, field, fieldValue(enquiry, field));
      });
      pushAddedLater(out, enquiryAddedLater, enquiry);
      out.push(']');
    }
    out.push(']');
    pushAddedLater(out, addedLater, contact);
    out.push(']]');
    return out.join('');
  };

  const identityHash = (contact: IdentityFields, utr: string, second: string | readonly string[] | null) =>
    sha256Hex(identityText(contact, utr, second)).slice(0, 32);

  return {
    contentHashes: (contact, targets) => targets.map((t) => identityHash(contact, t.utr, t.partnershipUtr)),
    storedContentHash: (contact, target) => identityHash(contact, target.utr, target.partnershipUtr),
    unitFingerprint(contact, targets = [], hashes = []) {
      const own =
        contact.partners === null &&
        targets.length === 1 &&
        targets[0]!.partnershipUtr === null &&
        targets[0]!.utr === contact.utr;
      if (own && hashes[0]) return hashes[0];
      return identityHash(contact, contact.utr, contact.partners);
    },
  };
}

export const { contentHashes, storedContentHash, unitFingerprint } = identitiesOf(CONTACT_LAYOUT);

/** The source key of one stored contact: the unit's key, plus the partner's UTR when expanded. */
export function sourceKey(unitKey: string, target: ContactTarget): string {
  return target.partnershipUtr === null ? unitKey : `${unitKey}/${target.utr}`;
}

export function fingerprintKey(fingerprint: string, occurrence: number): string {
  return `sha256:${fingerprint}#${occurrence}`;
}

/**
 * Why a user's contact reference could collide with a key the tool derives
 * (a partner's `REF/UTR`, a fingerprint's `sha256:…`, a record's `uuid:…`),
 * or undefined when it cannot.
 */
export function reservedRefForm(ref: string): string | undefined {
  if (ref.includes('/')) return 'contains /';
  const lower = ref.toLowerCase();
  if (lower.startsWith('sha256:')) return 'starts with sha256:';
  if (lower.startsWith('uuid:')) return 'starts with uuid:';
  return undefined;
}

/** What the `partners-changed` warning says of the partners gained since. */
export function partnersChangedDetail(added: readonly string[]): string {
  return `partner${added.length === 1 ? '' : 's'} ${added.join(', ')} joined it since, and ${added.length === 1 ? 'is' : 'are'} not given this contact`;
}
