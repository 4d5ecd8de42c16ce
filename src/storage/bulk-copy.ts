/**
 * Bulk writing with PostgreSQL COPY (text format): the fastest correct path on
 * both drivers. Each driver supplies how to send one COPY inside the current
 * transaction; the encoding of rows is shared.
 */

import { CONTACT_FIELDS, ENQUIRY_FIELDS, type StoredField } from '../domain/layout.js';
import type { ContactRow, CopySender, EnquiryRow, RowWriter, Transaction } from './database.js';

/** The contact's stored fields but the time: a new contact takes its transaction's (the column's default). */
const CONTACT_COPY = CONTACT_FIELDS.filter((f) => f.key !== 'recordedAt');
/** A restore keeps each contact's recorded time. */
const RESTORED_CONTACT_COPY = CONTACT_FIELDS;
/** An enquiry's fields, after the seq of its contact. */
const ENQUIRY_COPY: readonly (CopyField & { column: string })[] = [{ key: 'contactSeq', column: 'contact_seq', type: 'integer', nullable: false }, ...ENQUIRY_FIELDS];

const columnsOf = (fields: readonly { column: string }[]) => fields.map((f) => f.column);

const SPECIAL = /[\\\t\n\r]/;

/** One value in COPY text format: `\N` for null, backslash escapes for the separators. */
function copyValue(value: string | number | null | undefined): string {
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

type CopyField = Pick<StoredField, 'key' | 'type' | 'nullable' | 'plain'>;

/**
 * Rows as COPY text of `fields`, in their order: the function that writes a
 * row is generated from the fields once, a property read each, escaping only
 * what may need it (the import writes millions of rows through it).
 */
function copyTextOf(fields: readonly CopyField[]): (rows: readonly object[]) => string {
  const asIs = (f: CopyField) => !f.nullable && (f.type !== 'text' || f.plain);
  const cells = fields.map((f) => (asIs(f) ? `r[${JSON.stringify(f.key)}]` : `value(r[${JSON.stringify(f.key)}])`));
  const line = new Function('value', `return (r) => ${cells.join(" + '\\t' + ")} + '\\n';`)(copyValue) as (row: object) => string;
  return (rows) => {
    let out = '';
    for (const row of rows) out += line(row);
    return out;
  };
}

/**
 * New contacts as COPY text, and their enquiries.
 * @public test/bench/import-stages.mjs measures each as a stage of the import.
 */
export const contactCopyText: (rows: readonly ContactRow[]) => string = copyTextOf(CONTACT_COPY);
/** @public the bench's next stage. */
export const enquiryCopyText: (rows: readonly EnquiryRow[]) => string = copyTextOf(ENQUIRY_COPY);
const restoredContactCopyText = copyTextOf(RESTORED_CONTACT_COPY);

export function copyWriter(send: CopySender): RowWriter {
  return async (tx, contactRows, enquiryRows) => {
    await send(tx, 'contacts', columnsOf(CONTACT_COPY), contactCopyText(contactRows));
    await send(tx, 'enquiries', columnsOf(ENQUIRY_COPY), enquiryCopyText(enquiryRows));
  };
}

/** Writes contacts with the `recordedAt` they carry (a restore). */
export function restoringWriter(send: CopySender) {
  return async (tx: Transaction, contactRows: RestoredContactRow[], enquiryRows: EnquiryRow[]) => {
    await send(tx, 'contacts', columnsOf(RESTORED_CONTACT_COPY), restoredContactCopyText(contactRows));
    await send(tx, 'enquiries', columnsOf(ENQUIRY_COPY), enquiryCopyText(enquiryRows));
  };
}
