/**
 * Bulk writing with PostgreSQL COPY (text format): the fastest correct path on
 * both drivers. Each driver supplies how to send one COPY inside the current
 * transaction; the encoding of rows is shared.
 */

import { CONTACT_FIELDS, ENQUIRY_FIELDS, type StoredField, fieldValue } from '../domain/layout.js';
import type { PendingEntry } from '../domain/audit.js';
import type { ContactRow, CopySender, CopyTemplate, EnquiryRow, HistoryWriter, Transaction } from './database.js';

/** The contact's stored fields but the time: a new contact takes its transaction's (the column's default). */
const CONTACT_COPY = CONTACT_FIELDS.filter((f) => f.key !== 'recordedAt');
/** A restore keeps each contact's recorded time. */
const RESTORED_CONTACT_COPY = CONTACT_FIELDS;
/** An enquiry's fields, after the seq of its contact. */
const ENQUIRY_COPY: readonly (CopyField & { column: string })[] = [
  { key: 'contactSeq', column: 'contact_seq', type: 'integer', nullable: false },
  ...ENQUIRY_FIELDS,
];

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

/** Whether a field's values go into COPY text as they are: never null, and never text that could hold a separator or a backslash. */
const asIs = (f: CopyField) => !f.nullable && (f.type !== 'text' || f.plain === true);

/** One field's value as COPY text, pushed onto `out`: escaped only where the field may need it. */
function pushCell(out: unknown[], field: CopyField, value: unknown): void {
  out.push(asIs(field) ? value : copyValue(value as string | number | null | undefined));
}

/**
 * A row as one COPY line of `fields`, in their order: cells separated by
 * tabs, the line ended. The cells are joined flat (a concatenation would be a
 * tree of small strings, kept alive until the batch is written); numbers
 * become their digits as they are joined.
 */
function copyLine(fields: readonly CopyField[], row: object, leadingTab = false): string {
  const cells: unknown[] = [];
  fields.forEach((field, i) => {
    if (i > 0 || leadingTab) cells.push('\t');
    pushCell(cells, field, fieldValue(row, field));
  });
  cells.push('\n');
  return cells.join('');
}

/** About how many characters of COPY text are joined into one chunk. */
const COPY_CHUNK_CHARS = 64 * 1024;

/**
 * The pieces of COPY text joined into chunks of about COPY_CHUNK_CHARS: a
 * postgres.js CopyData message each, or a part of PGlite's blob. Large
 * enough that a chunk costs little (a blob of a piece a value took PGlite
 * half as long again as its COPY of whole lines), small enough to die young.
 */
export function* copyChunks(pieces: readonly string[]): Generator<string> {
  let from = 0;
  let size = 0;
  for (let i = 0; i < pieces.length; i++) {
    size += pieces[i]!.length;
    if (size < COPY_CHUNK_CHARS && i < pieces.length - 1) continue;
    yield pieces.slice(from, i + 1).join('');
    from = i + 1;
    size = 0;
  }
}

const restoredContactCopyText = (rows: readonly object[]) => rows.map((row) => copyLine(RESTORED_CONTACT_COPY, row));
const enquiryCopyText = (rows: readonly object[]) => rows.map((row) => copyLine(ENQUIRY_COPY, row));

/** The values of a new contact's line that its writer places under the chain lock, or the chain gives it. */
const LATE_FIELDS = CONTACT_COPY.filter((f) => f.origin === 'placed' || f.origin === 'chain');
type LateKey = 'seq' | 'recordedBy' | 'prevHash' | 'hash';
type LateValues = Record<LateKey, string>;
if (
  LATE_FIELDS.map((f) => f.key)
    .sort()
    .join() !== (['hash', 'prevHash', 'recordedBy', 'seq'] satisfies LateKey[]).join()
) {
  throw new Error("a new contact's COPY line places other values than seq, recordedBy, prevHash and hash");
}
/** Besides the entry's own fields and the late ones, the line holds the content hash, known before the lock. */
if (
  CONTACT_COPY.filter((f) => !f.chained && f.origin !== 'chain')
    .map((f) => f.key)
    .join() !== 'contentHash'
) {
  throw new Error("a new contact's COPY line holds values its template cannot know");
}

/**
 * A new contact's COPY line in the parts around the values placed under the
 * lock, and each enquiry's line after its contact's seq. The import makes one
 * a contact while checking it, so the write under the lock only fills in four
 * values a line.
 */
export function copyTemplate(entry: PendingEntry, contentHash: string): CopyTemplate {
  const contact: string[] = [];
  let part: unknown[] = [];
  CONTACT_COPY.forEach((field, i) => {
    if (i > 0) part.push('\t');
    if (LATE_FIELDS.includes(field)) {
      contact.push(part.join(''));
      part = [];
    } else {
      pushCell(part, field, field.key === 'contentHash' ? contentHash : fieldValue(entry, field));
    }
  });
  part.push('\n');
  contact.push(part.join(''));
  return { contact, enquiries: entry.enquiries.map((enquiry) => copyLine(ENQUIRY_FIELDS, enquiry, true)) };
}

/**
 * A template's line with its late values, as pieces pushed onto `text` in the
 * layout's order: the sender joins them into its messages, so no line is
 * copied whole once more on the way.
 */
function pushLine(text: string[], parts: readonly string[], late: LateValues): void {
  LATE_FIELDS.forEach((field, i) => text.push(parts[i] ?? '', late[field.key as LateKey]));
  text.push(parts[LATE_FIELDS.length] ?? '');
}

/** New contacts as COPY text, filled in as the chain places them, and sent with `send` at the end of the transaction. */
export function copyWriter(send: CopySender): HistoryWriter {
  return {
    batch(login) {
      const late: LateValues = { seq: '', recordedBy: copyValue(login), prevHash: '', hash: '' };
      const contactText: string[] = [];
      const enquiryText: string[] = [];
      return {
        add(contact, seq, prevHash, hash) {
          late.seq = String(seq);
          late.prevHash = prevHash;
          late.hash = hash;
          pushLine(contactText, contact.copy.contact, late);
          for (const tail of contact.copy.enquiries) enquiryText.push(late.seq, tail);
        },
        async write(tx) {
          await send(tx, 'contacts', columnsOf(CONTACT_COPY), contactText);
          await send(tx, 'enquiries', columnsOf(ENQUIRY_COPY), enquiryText);
        },
      };
    },
  };
}

/** Writes contacts with the `recordedAt` they carry (a restore). */
export function restoringWriter(send: CopySender) {
  return async (tx: Transaction, contactRows: RestoredContactRow[], enquiryRows: EnquiryRow[]) => {
    await send(tx, 'contacts', columnsOf(RESTORED_CONTACT_COPY), restoredContactCopyText(contactRows));
    await send(tx, 'enquiries', columnsOf(ENQUIRY_COPY), enquiryCopyText(enquiryRows));
  };
}
