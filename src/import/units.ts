/** From a checked contact to the unit that storage writes all or nothing. */

import { type PendingEntry, canonicalTemplate } from '../domain/audit.js';
import type { Contact, ContactTarget } from '../domain/contact.js';
import { CONTACT_LAYOUT, type ChainEnquiry, ENQUIRY_FIELDS, fieldValue, isList } from '../domain/layout.js';
import { contentHashes, sourceKey, storedContentHash } from '../domain/identity.js';
import { copyTemplate } from '../storage/bulk-copy.js';
import type { PreparedUnit } from '../storage/history-writer.js';

/** The fields of a pending entry, and of each of its enquiries: all the chain hashes but those placed under the lock. */
const ENTRY_FIELDS = CONTACT_LAYOUT.filter((f) => f.chained && f.origin !== 'placed');
const ENTRY_ENQUIRY_FIELDS = ENQUIRY_FIELDS.filter((f) => f.chained && f.origin !== 'placed');

/** The tool's own values of a contact stored on one target. */
interface ToolValues {
  sourceKey: string;
  importRunId: number | null;
}

/** The tool's own value of an enquiry: its place in the contact, from 1. */
interface EnquiryToolValues {
  position: number;
}

/** The tool's values: a field of the tool's that the layout adds needs one here, or it would be stored as nothing. */
const TOOL_KEYS: readonly string[] = ['sourceKey', 'importRunId', 'position'] satisfies (
  keyof ToolValues | keyof EnquiryToolValues
)[];
const unvalued = [...ENTRY_FIELDS, ...ENTRY_ENQUIRY_FIELDS].find(
  (f) => f.origin === 'tool' && !TOOL_KEYS.includes(f.key),
);
if (unvalued) throw new Error(`the layout's ${unvalued.key} has no value before the contact is placed`);

/**
 * What the chain entry of a contact stored on one target says, but for its
 * place and time: what the operator gave from the checked contact, where it
 * is stored from the target, and the tool's own values. The enquiries are
 * numbered from 1 in the contact's order.
 */
function pendingEntry(contact: Contact, target: ContactTarget, tool: ToolValues): PendingEntry {
  const entry: Record<string, unknown> = {};
  for (const f of ENTRY_FIELDS) {
    if (isList(f)) entry[f.key] = contact.enquiries.map((enquiry, i) => pendingEnquiry(enquiry, i + 1));
    else if (f.origin === 'contact') entry[f.key] = fieldValue(contact, f);
    else if (f.origin === 'target') entry[f.key] = fieldValue(target, f);
    else entry[f.key] = fieldValue(tool, f);
  }
  return entry as PendingEntry;
}

function pendingEnquiry(enquiry: Contact['enquiries'][number], position: number): ChainEnquiry {
  const out: Record<string, unknown> = {};
  const tool: EnquiryToolValues = { position };
  for (const f of ENTRY_ENQUIRY_FIELDS) out[f.key] = fieldValue(f.origin === 'contact' ? enquiry : tool, f);
  return out as ChainEnquiry;
}

/**
 * One stored contact per target; each key is the unit's key plus the partner's
 * UTR when expanded. The canonical text and the COPY lines are built here,
 * while checking, so the write under the chain-head lock only places and
 * hashes them.
 */
export function prepareUnit(
  contact: Contact,
  targets: readonly ContactTarget[],
  unitKey: string,
  hashes: readonly string[] = contentHashes(contact, targets),
  importRunId: number | null = null,
): PreparedUnit {
  return {
    contacts: targets.map((target, i) => {
      const entry = pendingEntry(contact, target, { sourceKey: sourceKey(unitKey, target), importRunId });
      const contentHash = hashes[i] ?? storedContentHash(contact, target);
      return { entry, contentHash, canonical: canonicalTemplate(entry), copy: copyTemplate(entry, contentHash) };
    }),
  };
}
