/**
 * Bulk writing with PostgreSQL COPY (text format): the fastest correct path on
 * both drivers. Each driver supplies how to send one COPY inside the current
 * transaction; the encoding of rows is shared.
 */

import type { ContactRow, CopySender, EnquiryRow, RowWriter, Transaction } from './database.js';

const CONTACT_COLUMNS = [
  'seq', 'source_key', 'content_hash', 'utr', 'partnership_utr', 'contact_type', 'contact_name', 'channel', 'direction',
  'authentication', 'enquiry_date', 'operator_pid', 'import_run_id', 'recorded_by', 'prev_hash', 'hash',
] as const;
/** A restore keeps each contact's recorded time; a new contact takes the transaction's. */
const RESTORED_CONTACT_COLUMNS = [...CONTACT_COLUMNS, 'recorded_at'] as const;
const ENQUIRY_COLUMNS = ['contact_seq', 'position', 'subject', 'action_taken', 'general_notes'] as const;

const SPECIAL = /[\\\t\n\r]/;

/** One value in COPY text format: `\N` for null, backslash escapes for the separators. */
export function copyValue(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  const s = typeof value === 'number' ? String(value) : value;
  if (!SPECIAL.test(s)) return s;
  return s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

const COPY_ESCAPES: Record<string, string> = { '\\': '\\', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** A field of COPY's text output decoded: the escapes PostgreSQL writes undone (null, `\\N`, is not expected here). */
export function copyTextValue(field: string): string {
  if (!field.includes('\\')) return field;
  return field.replace(/\\(.)/g, (escape, c: string) => COPY_ESCAPES[c] ?? escape);
}

/** A contact as exported: its recorded time is the chain's text of it, `YYYY-MM-DDTHH:MM:SS.ffffffZ`. */
export type RestoredContactRow = Omit<ContactRow, 'recordedAt'> & { recordedAt: string };

export function contactCopyText(rows: readonly (ContactRow | RestoredContactRow)[], withRecordedAt = false): string {
  let out = '';
  for (const r of rows) {
    const recordedAt = withRecordedAt ? `\t${(r as RestoredContactRow).recordedAt}` : '';
    out += `${r.seq}\t${copyValue(r.sourceKey)}\t${r.contentHash}\t${r.utr}\t${copyValue(r.partnershipUtr)}\t${copyValue(r.contactType)}\t${copyValue(r.contactName)}\t${r.channel}\t${r.direction}\t${copyValue(r.authentication)}\t${r.enquiryDate}\t${r.operatorPid}\t${copyValue(r.importRunId)}\t${copyValue(r.recordedBy)}\t${r.prevHash}\t${r.hash}${recordedAt}\n`;
  }
  return out;
}

export function enquiryCopyText(rows: readonly EnquiryRow[]): string {
  let out = '';
  for (const r of rows) {
    out += `${r.contactSeq}\t${r.position}\t${r.subject}\t${copyValue(r.actionTaken)}\t${copyValue(r.generalNotes)}\n`;
  }
  return out;
}

export function copyWriter(send: CopySender): RowWriter {
  return async (tx, contactRows, enquiryRows) => {
    await send(tx, 'contacts', CONTACT_COLUMNS, contactCopyText(contactRows));
    await send(tx, 'enquiries', ENQUIRY_COLUMNS, enquiryCopyText(enquiryRows));
  };
}

/** Writes contacts with the `recordedAt` they carry (a restore). */
export function restoringWriter(send: CopySender) {
  return async (tx: Transaction, contactRows: RestoredContactRow[], enquiryRows: EnquiryRow[]) => {
    await send(tx, 'contacts', RESTORED_CONTACT_COLUMNS, contactCopyText(contactRows, true));
    await send(tx, 'enquiries', ENQUIRY_COLUMNS, enquiryCopyText(enquiryRows));
  };
}
