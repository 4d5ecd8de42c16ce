/** From a checked contact to the unit that storage writes all or nothing. */

import { type PendingEntry, canonicalTemplate } from '../domain/audit.js';
import type { Contact, ContactTarget } from '../domain/contact.js';
import { CONTACT_LAYOUT, ENQUIRY_FIELDS, type OperatorGivenEnquiryKey, type OperatorGivenKey, type StoredField } from '../domain/layout.js';
import { contentHashes, sourceKey } from '../domain/identity.js';
import { copyTemplate } from '../storage/bulk-copy.js';
import type { PreparedUnit } from '../storage/history-writer.js';

/** A checked contact carries every field the layout says the operator gives: a field declared without its rule does not compile. */
type Carries<T, K extends PropertyKey> = [K] extends [keyof T] ? true : never;
const contactsCarryTheLayout: [Carries<Contact, OperatorGivenKey>, Carries<Contact['enquiries'][number], OperatorGivenEnquiryKey>] = [true, true];
void contactsCarryTheLayout;

/** What the chain entry of a contact stored on one target says, but for its place and time. */
const pendingEntry: (contact: Contact, target: ContactTarget, key: string, importRunId: number | null) => PendingEntry = entryWriter();

/**
 * `pendingEntry`, generated once from the layout as one object literal (the
 * import makes one a contact): what the operator gave from the checked
 * contact, where it is stored from the target, and the tool's own values.
 */
function entryWriter(): (contact: Contact, target: ContactTarget, key: string, importRunId: number | null) => PendingEntry {
  const tool: Record<string, string> = { sourceKey: 'key', importRunId: 'run', position: 'i + 1' };
  const valueCode = (f: StoredField, from: string) => {
    if (f.key === 'enquiries') return 'enquiries';
    if (f.origin === 'contact') return `${from}[${JSON.stringify(f.key)}]`;
    if (f.origin === 'target') return `t[${JSON.stringify(f.key)}]`;
    if (tool[f.key]) return tool[f.key]!;
    throw new Error(`the layout's ${f.key} has no value before the contact is placed`);
  };
  const members = (fields: readonly StoredField[], from: string) => fields.filter((f) => f.chained && f.origin !== 'placed')
    .map((f) => `${JSON.stringify(f.key)}: ${valueCode(f, from)}`).join(', ');
  return new Function(`return (c, t, key, run) => {
    const enquiries = [];
    for (let i = 0; i < c.enquiries.length; i++) {
      const q = c.enquiries[i];
      enquiries.push({ ${members(ENQUIRY_FIELDS, 'q')} });
    }
    return { ${members(CONTACT_LAYOUT, 'c')} };
  };`)();
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
