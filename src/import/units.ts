/** From a checked contact to the unit that storage writes all or nothing. */

import { type PendingEntry, canonicalTemplate } from '../domain/audit.js';
import type { Contact, ContactTarget } from '../domain/contact.js';
import { CONTACT_FIELDS, ENQUIRY_FIELDS, type OperatorGivenEnquiryKey, type OperatorGivenKey } from '../domain/layout.js';
import { contentHashes, sourceKey } from '../domain/identity.js';
import { copyTemplate } from '../storage/bulk-copy.js';
import type { PreparedUnit } from '../storage/history-writer.js';

/** The layout's fields the operator gives, as the rules normalised them. */
const FROM_CONTACT = CONTACT_FIELDS.filter((f) => f.origin === 'contact').map((f) => f.key);
const FROM_ENQUIRY = ENQUIRY_FIELDS.filter((f) => f.origin === 'contact').map((f) => f.key);

/** A checked contact carries every field the layout says the operator gives: a field declared without its rule does not compile. */
type Carries<T, K extends PropertyKey> = [K] extends [keyof T] ? true : never;
const contactsCarryTheLayout: [Carries<Contact, OperatorGivenKey>, Carries<Contact['enquiries'][number], OperatorGivenEnquiryKey>] = [true, true];
void contactsCarryTheLayout;

function picked(from: object, keys: readonly string[], into: Record<string, unknown>): Record<string, unknown> {
  for (const k of keys) into[k] = (from as Record<string, unknown>)[k];
  return into;
}

/** What the chain entry of a contact stored on one target says, but for its place and time. */
function pendingEntry(contact: Contact, target: ContactTarget, key: string, importRunId: number | null): PendingEntry {
  const entry = picked(contact, FROM_CONTACT, { sourceKey: key, utr: target.utr, partnershipUtr: target.partnershipUtr, importRunId });
  entry.enquiries = contact.enquiries.map((e, i) => picked(e, FROM_ENQUIRY, { position: i + 1 }));
  return entry as PendingEntry;
}

/**
 * One stored contact per target; each key is the unit's key plus the partner's
 * UTR when expanded. The canonical text and the COPY lines are built here,
 * while checking, so the write under the chain-head lock only places and
 * hashes them.
 */
export function prepareUnit(
  contact: Contact, targets: readonly ContactTarget[], unitKey: string,
  hashes: readonly string[] = contentHashes(contact, targets), importRunId: number | null = null,
): PreparedUnit {
  return {
    contacts: targets.map((target, i) => {
      const entry = pendingEntry(contact, target, sourceKey(unitKey, target), importRunId);
      const contentHash = hashes[i]!;
      return { entry, contentHash, canonical: canonicalTemplate(entry), copy: copyTemplate(entry, contentHash) };
    }),
  };
}
