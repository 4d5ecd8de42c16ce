/** From a checked contact to the unit that storage writes all or nothing. */

import { type PendingEntry, canonicalTemplate } from '../domain/audit.js';
import type { Contact, ContactTarget } from '../domain/contact.js';
import { contentHashes, sourceKey } from '../domain/identity.js';
import type { PreparedUnit } from '../storage/history-writer.js';

/** What the chain entry of a contact stored on one target says, but for its place and time. */
export function pendingEntry(contact: Contact, target: ContactTarget, key: string, importRunId: number | null): PendingEntry {
  return {
    sourceKey: key,
    utr: target.utr,
    partnershipUtr: target.partnershipUtr,
    contactType: contact.contactType,
    contactName: contact.contactName,
    channel: contact.channel,
    direction: contact.direction,
    authentication: contact.authentication,
    enquiryDate: contact.enquiryDate,
    operatorPid: contact.operatorPid,
    importRunId,
    enquiries: contact.enquiries.map((e, i) => ({ position: i + 1, subject: e.subject, actionTaken: e.actionTaken, generalNotes: e.generalNotes })),
  };
}

/**
 * One stored contact per target; each key is the unit's key plus the partner's
 * UTR when expanded. The canonical text is built here, while checking, so the
 * write under the chain-head lock only places and hashes it.
 */
export function prepareUnit(
  contact: Contact, targets: readonly ContactTarget[], unitKey: string,
  hashes: readonly string[] = contentHashes(contact, targets), importRunId: number | null = null,
): PreparedUnit {
  return {
    contacts: targets.map((target, i) => {
      const entry = pendingEntry(contact, target, sourceKey(unitKey, target), importRunId);
      return { entry, contentHash: hashes[i]!, canonical: canonicalTemplate(entry) };
    }),
  };
}
