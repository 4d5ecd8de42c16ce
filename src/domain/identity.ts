/**
 * Identity of stored contacts: content hashes that tell "the same
 * contact again" from "a different contact under the same key", and source keys.
 */

import { hash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { Contact, ContactTarget } from './contact.js';
import { CONTACT_FIELDS, ENQUIRY_FIELDS } from './layout.js';

export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}

/** What JSON.stringify escapes in a string (a quote, a backslash, controls), and surrogates, which it escapes when alone. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * JSON.stringify's text of a value, without copying a string that needs no
 * escape: JSON.stringify builds every string it writes anew, and the import
 * writes each field of a contact twice (its identity, its canonical text).
 */
export function jsonValue(value: unknown): string {
  return typeof value === 'string' && !NEEDS_ESCAPE.test(value) ? `"${value}"` : JSON.stringify(value);
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

/**
 * The layout's identity fields in its order, then the enquiries' (each an
 * array of theirs); a field added later follows as `"key",value` only where
 * it is set, so contacts stored before it keep their hashes. Generated once
 * from the layout: the import calls it for every contact.
 */
const serialisedFields: (contact: IdentityFields) => string = identityWriter();

function identityWriter(): (contact: IdentityFields) => string {
  const read = (from: string, key: string) => `${from}[${JSON.stringify(key)}]`;
  const always = CONTACT_FIELDS.filter((f) => f.identity && !f.addedLater).flatMap((f) => [`json(${read('c', f.key)})`, "','"]);
  const enquiry = ENQUIRY_FIELDS.filter((f) => f.identity).map((f) => `json(${read('q', f.key)})`).join(", ',', ");
  const later = CONTACT_FIELDS.filter((f) => f.identity && f.addedLater).sort((a, b) => a.addedLater! - b.addedLater!)
    .map((f) => `(${read('c', f.key)} == null ? '' : ${JSON.stringify(`,${JSON.stringify(f.key)},`)} + json(${read('c', f.key)}))`);
  return new Function('json', `return (c) => {
    let enquiries = '[';
    for (let i = 0; i < c.enquiries.length; i++) {
      const q = c.enquiries[i];
      enquiries += (i === 0 ? '[' : ',[') + [${enquiry}].join('') + ']';
    }
    return ['[', ${[...always, 'enquiries', "']'", ...later].join(', ')}, ']'].join('');
  };`)(jsonValue);
}

function identityHash(utr: string, second: string | string[] | null, fields: string): string {
  // Joined flat, so hashing copies nothing first.
  return sha256Hex(['["contact-v1",', jsonValue(utr), ',', JSON.stringify(second), ',', fields, ']'].join('')).slice(0, 32);
}

/** What each stored contact says, hashed (128 bits, hex): equal hashes mean the same contact. */
export function contentHashes(contact: Contact, targets: readonly ContactTarget[]): string[] {
  const fields = serialisedFields(contact);
  return targets.map((t) => identityHash(t.utr, t.partnershipUtr, fields));
}

/** The content hash of a contact as it is stored on `target` (an export's entry, say): the hash it was written with. */
export function storedContentHash(contact: IdentityFields, target: ContactTarget): string {
  return identityHash(target.utr, target.partnershipUtr, serialisedFields(contact));
}

/**
 * The fingerprint of an input contact (before partnership expansion), for rows
 * without a contact_ref. `hashes` are the targets' content hashes, reused when
 * the contact is stored on its own record.
 */
export function unitFingerprint(contact: Contact, targets: readonly ContactTarget[] = [], hashes: readonly string[] = []): string {
  const own = contact.partners === null && targets.length === 1 && targets[0]!.partnershipUtr === null && targets[0]!.utr === contact.utr;
  if (own && hashes[0]) return hashes[0];
  return identityHash(contact.utr, contact.partners, serialisedFields(contact));
}

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
