/**
 * The contact log as units: consecutive rows with the same
 * non-blank contact_ref are one contact; a blank contact_ref is a contact of
 * its own. Units are yielded as soon as they end; nothing else is held.
 */

import { type Issue, issue } from '../domain/catalogue.js';
import type { RawContact } from '../domain/contact.js';
import { CONTACT_INPUTS, ENQUIRY_INPUTS, FORMS, INPUT_HEADERS, REF_INPUT, REQUIRED_HEADERS } from '../domain/layout.js';
import { reservedRefForm } from '../domain/identity.js';
import { describeControl, findControlCharacter } from '../domain/text.js';
import { type Channel, FIXED_DIRECTION } from '../domain/vocabulary.js';
import type { CsvFormat } from '../csv/reader.js';
import {
  type ColumnMap,
  type FieldReader,
  type FileLayout,
  type ResolvedHeader,
  columnIndexOf,
  fieldReader,
} from '../csv/header.js';
import { type FileCheckOptions, checkWholeFile } from '../csv/file-check.js';
import type { ColumnCheck } from '../csv/column-scan.js';
import { type DateOrder, DateOrderEvidence } from '../domain/dates.js';
import { inputError } from '../domain/errors.js';
import type { FileSnapshot } from '../csv/file-snapshot.js';
import { type ChunkReader, type Row, type RowEvents, type RowReading, csvRowChunks } from '../csv/rows.js';
import { CompactIndex } from './compact-index.js';

export const CONTACT_LOG_LAYOUT: FileLayout = {
  known: INPUT_HEADERS,
  required: REQUIRED_HEADERS,
  vocabularies: FORMS.vocabularies,
  // A legacy direction may mean one thing on a channel and another elsewhere; never one the channel contradicts.
  valuesBy: { direction: { by: 'channel', accepts: (direction, channel) => directionFits(direction, channel) } },
};

/** Whether the rules accept a direction on a channel: some channels have one direction only. */
function directionFits(direction: string, channel: string): boolean {
  const fixed = FIXED_DIRECTION[channel as Channel];
  return fixed === undefined || fixed === direction;
}

export type LogRow = Row;

export interface LogUnit {
  ref: string | null;
  rows: LogRow[];
  /** Problems of the unit as a whole (a reused contact_ref). */
  issues: Issue[];
  /** The same rows under the same contact_ref came earlier, as the contact that began on this line: a repeat. */
  repeatOf?: number;
}

/** A column of the contact log, and how it is read from a row under one header. */
type ColumnReader = readonly [header: string, read: FieldReader];

/** How each of the contact log's columns is read from a row under one header: made once a file. */
interface LogReaders {
  field: ReadonlyMap<string, FieldReader>;
  /** The contact's columns, and each enquiry's, in the layout's order. */
  contact: readonly ColumnReader[];
  enquiry: readonly ColumnReader[];
}

const readersOf = new WeakMap<ResolvedHeader, LogReaders>();

function logReaders(header: ResolvedHeader): LogReaders {
  let readers = readersOf.get(header);
  if (!readers) {
    const columnReader = (h: string): ColumnReader => [h, fieldReader(header, h)];
    readers = {
      field: new Map(INPUT_HEADERS.map(columnReader)),
      contact: CONTACT_INPUTS.map((i) => columnReader(i.header)),
      enquiry: ENQUIRY_INPUTS.map((i) => columnReader(i.header)),
    };
    readersOf.set(header, readers);
  }
  return readers;
}

/** One column of a row of the contact log, by its name, as the header and the map read it. */
export function logField(row: LogRow, header: string): string | undefined {
  return logReaders(row.header).field.get(header)?.(row.values);
}

/** The columns `columns` of one row, by their names; a column the file lacks is there, undefined. */
function readColumns(columns: readonly ColumnReader[], values: readonly string[]): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [header, read] of columns) out[header] = read(values);
  return out;
}

/** A unit's rows as one contact: the contact's columns from its first row, an enquiry from each row. */
export function rawContactOf(rows: readonly LogRow[]): RawContact {
  const [first] = rows;
  if (!first) throw new Error('a contact is made of at least one row');
  const readers = logReaders(first.header);
  const enquiries = rows.map((row) => readColumns(readers.enquiry, row.values));
  return Object.assign(readColumns(readers.contact, first.values), { enquiries });
}

export function logRows(
  file: string,
  format: Partial<CsvFormat>,
  map: ColumnMap,
  events: RowEvents,
  read?: ChunkReader,
  reading?: RowReading,
): AsyncGenerator<LogRow[]> {
  return csvRowChunks(file, format, CONTACT_LOG_LAYOUT, map, events, read, reading);
}

/** A 32-bit tag of what a unit's rows say in the log's columns (the tool's reject_ columns aside): equal for an identical repeat. */
function contentTag(rows: readonly LogRow[]): number {
  const readers = logReaders(rows[0]!.header);
  const said = rows.map((row) => INPUT_HEADERS.map((h) => readers.field.get(h)?.(row.values) ?? ''));
  return CompactIndex.keyOf(JSON.stringify(said))[0];
}

/**
 * A contact_ref met again, apart from its first contact: the same rows
 * again are a repeat of that contact (a duplicate once it is stored), other
 * rows are `contact-ref-reused`. Only the ref, the line its contact began on
 * and a tag of its content are remembered.
 */
function noteRefUse(unit: LogUnit, refs: CompactIndex): void {
  if (unit.ref === null) return;
  const key = CompactIndex.keyOf(unit.ref);
  const line = unit.rows[0]!.line;
  const tag = contentTag(unit.rows);
  if (refs.add(key, line, tag)) return;
  const firstLine = refs.get(key)!;
  if (refs.get(key, 1) === tag) unit.repeatOf = firstLine;
  else unit.issues.push(issue('contact-ref-reused', { field: 'contact_ref', value: unit.ref, limit: firstLine }));
}

/**
 * Groups rows into units, a chunk at a time (a unit still open at the end of a
 * chunk goes out with the next); `refs` remembers every contact_ref used, the
 * line its contact began on and a tag of its content.
 */
export async function* logUnits(
  chunks: AsyncIterable<LogRow[]>,
  refs = CompactIndex.pairs(),
): AsyncGenerator<LogUnit[]> {
  let current: LogUnit | undefined;
  const ended = (unit: LogUnit) => {
    noteRefUse(unit, refs);
    return unit;
  };
  for await (const rows of chunks) {
    const units: LogUnit[] = [];
    // Every row of a file shares its header: the contact_ref's reader is looked up once a chunk, not once a row.
    const refOf = rows[0] ? logReaders(rows[0].header).field.get(REF_INPUT.header) : undefined;
    for (const row of rows) {
      const ref = (refOf?.(row.values) ?? '').trim();
      if (current && ref !== '' && current.ref === ref) {
        current.rows.push(row);
        continue;
      }
      if (current) units.push(ended(current));
      current = { ref: ref === '' ? null : ref, rows: [row], issues: [] };
      if (ref !== '') {
        const reserved = reservedRefForm(ref);
        if (reserved) current.issues.push(issue('ref-invalid', { field: 'contact_ref', value: ref, detail: reserved }));
        const control = findControlCharacter(ref, false);
        if (control)
          current.issues.push(
            issue('control-character', { field: 'contact_ref', value: control, detail: describeControl(control) }),
          );
      }
    }
    if (units.length > 0) yield units;
  }
  if (current) yield [ended(current)];
}

/**
 * The order of day and month is the file's: every slashed enquiry_date must
 * read in the order chosen, or the file is refused whole. One date read
 * wrongly would be stored for good, and a file in the other order is most
 * likely read wrongly wherever both numbers are up to 12, where nothing shows.
 */
function dateOrderCheck(order: DateOrder, map: ColumnMap): ColumnCheck {
  const evidence = new DateOrderEvidence();
  return {
    column: (header) => columnIndexOf(header, 'enquiry_date', map),
    cell: (value, line) => evidence.see(value, line),
    finish: () => {
      const wrong = evidence.against(order);
      if (!wrong) return;
      const other = order === 'dmy' ? evidence.dayFirst : evidence.monthFirst;
      const read =
        order === 'dmy'
          ? 'day first, as dates are unless --date-order says otherwise'
          : 'month first, as --date-order mdy says';
      const both = other
        ? `, and line ${other.line}'s "${other.value}" cannot be read ${order === 'dmy' ? 'month' : 'day'} first (its month would be ${other.notAMonth}): the file holds dates written in both orders`
        : `: the file looks written ${order === 'dmy' ? 'month first (US order)' : 'day first'}`;
      throw inputError(
        'date-order',
        {
          field: 'enquiry_date',
          value: wrong.value,
          limit: wrong.line,
          detail: `cannot be read ${read} (its month would be ${wrong.notAMonth})${both}`,
        },
        other
          ? 'neither --date-order reads every date of the file: correct the dates written in the other order (or write them all as YYYY-MM-DD) and import it again'
          : order === 'dmy'
            ? 'if every date of the file is written month first, import it with --date-order mdy'
            : 'if every date of the file is written day first, leave --date-order out',
      );
    },
  };
}

/**
 * Checks the whole file's bytes, quoting and day and month order, then the
 * header: fatal problems surface before anything at all is written, not
 * after the batches before them have been committed.
 */
export async function checkLogFile(
  file: string,
  check: FileCheckOptions,
  map: ColumnMap,
  order: DateOrder = 'dmy',
): Promise<FileSnapshot | undefined> {
  const snapshot = await checkWholeFile(file, { ...check, column: () => dateOrderCheck(order, map) });
  const rows = logRows(file, check.format, map, { header: () => {} });
  try {
    await rows.next();
  } finally {
    await rows.return(undefined);
  }
  return snapshot;
}
