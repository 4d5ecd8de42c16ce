/**
 * Bulk writing with PostgreSQL COPY (text format): the fastest correct path on
 * both drivers. Each driver supplies how to send one COPY inside the current
 * transaction; the encoding of rows is shared.
 */

import { CONTACT_FIELDS, ENQUIRY_FIELDS, type StoredField } from '../domain/layout.js';
import type { PendingEntry } from '../domain/audit.js';
import type { ContactRow, CopySender, CopyTemplate, EnquiryRow, HistoryWriter, Transaction } from './database.js';

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

/** Each field's COPY text as code, from the code that reads its value: escaped only where the field may need it. */
function cellsOf(fields: readonly CopyField[], read: (f: CopyField) => string): string[] {
  const asIs = (f: CopyField) => !f.nullable && (f.type !== 'text' || f.plain);
  return fields.map((f) => (asIs(f) ? read(f) : `value(${read(f)})`));
}

/** Code for a line's text, or for the text between its holes: cells separated by tabs, the line ended. */
function lineCode(cells: readonly (string | null)[], leadingTab: boolean): string[] {
  const groups: string[][] = [[]];
  cells.forEach((cell, i) => {
    if (i > 0 || leadingTab) groups.at(-1)!.push("'\\t'");
    if (cell === null) groups.push([]);
    else groups.at(-1)!.push(cell);
  });
  groups.at(-1)!.push("'\\n'");
  // Joined flat: a concatenation would be a tree of small strings, kept alive until the batch is written.
  return groups.map((g) => (g.length === 0 ? "''" : g.length === 1 ? g[0]! : `[${g.join(', ')}].join('')`));
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

/**
 * Rows as COPY lines of `fields`, in their order: the function that writes a
 * row is generated from the fields once, a property read each.
 */
function copyTextOf(fields: readonly CopyField[]): (rows: readonly object[]) => string[] {
  const [code] = lineCode(cellsOf(fields, (f) => `r[${JSON.stringify(f.key)}]`), false);
  const line = new Function('value', `return (r) => ${code};`)(copyValue) as (row: object) => string;
  return (rows) => rows.map(line);
}

const restoredContactCopyText = copyTextOf(RESTORED_CONTACT_COPY);
const enquiryCopyText = copyTextOf(ENQUIRY_COPY);

/** The values of a new contact's line that its writer places under the chain lock, or the chain gives it. */
const LATE_FIELDS = CONTACT_COPY.filter((f) => f.origin === 'placed' || f.origin === 'chain');
type LateKey = 'seq' | 'recordedBy' | 'prevHash' | 'hash';
type LateValues = Record<LateKey, string>;
if (LATE_FIELDS.map((f) => f.key).sort().join() !== (['hash', 'prevHash', 'recordedBy', 'seq'] satisfies LateKey[]).join()) {
  throw new Error("a new contact's COPY line places other values than seq, recordedBy, prevHash and hash");
}
/** Besides the entry's own fields and the late ones, the line holds the content hash, known before the lock. */
if (CONTACT_COPY.filter((f) => !f.chained && f.origin !== 'chain').map((f) => f.key).join() !== 'contentHash') {
  throw new Error("a new contact's COPY line holds values its template cannot know");
}

/**
 * A new contact's COPY lines around the values placed under the lock, and
 * each enquiry's after its contact's seq. Generated once from the layout: the
 * import makes one a contact while checking it, so the write under the lock
 * only fills in four values a line.
 */
export const copyTemplate: (entry: PendingEntry, contentHash: string) => CopyTemplate = copyTemplateWriter();

function copyTemplateWriter(): (entry: PendingEntry, contentHash: string) => CopyTemplate {
  const read = (from: string) => (f: CopyField) => (f.key === 'contentHash' ? 'contentHash' : `${from}[${JSON.stringify(f.key)}]`);
  const cells = cellsOf(CONTACT_COPY, read('e')).map((cell, i) => (LATE_FIELDS.includes(CONTACT_COPY[i]!) ? null : cell));
  const [tail] = lineCode(cellsOf(ENQUIRY_FIELDS, read('q')), true);
  return new Function('value', `return (e, contentHash) => {
    const enquiries = [];
    for (const q of e.enquiries) enquiries.push(${tail});
    return { contact: [${lineCode(cells, false).join(', ')}], enquiries };
  };`)(copyValue);
}

/**
 * A template's line with its late values, as pieces pushed onto `text` in the
 * layout's order: the sender joins them into its messages, so no line is
 * copied whole once more on the way.
 */
const pushLine: (text: string[], parts: readonly string[], v: LateValues) => void = new Function(
  'text', 'p', 'v', `text.push(${LATE_FIELDS.map((f, i) => `p[${i}], v[${JSON.stringify(f.key)}]`).join(', ')}, p[${LATE_FIELDS.length}]);`,
) as (text: string[], parts: readonly string[], v: LateValues) => void;

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
