/**
 * Rows of a CSV file under a checked header, with the problems of each row's
 * shape. Shared by every importer, after the whole-file check (file-check.ts)
 * has made sure every byte and quote of the file reads faithfully.
 */

import { type Issue, issue } from '../domain/catalogue.js';
import { inputError } from '../domain/errors.js';
import {
  type ColumnMap,
  type FileLayout,
  type ResolvedHeader,
  fieldsOf,
  resolveHeader,
  shapeIssues,
} from './header.js';
import { guardedStart, restoreRow } from './formula-guard.js';
import { type CsvFormat, type CsvItem, readCsvChunks } from './reader.js';
import { rowTooLong } from './file-check.js';

export interface Row {
  line: number;
  values: string[];
  /** The header the row is read under: its fields are read by column (`fieldReader`), no record of them made a row. */
  header: ResolvedHeader;
  /** Problems of the row's shape; shared and empty when there are none: never added to. */
  issues: readonly Issue[];
  /** A spreadsheet's formula guard removed from its cells (`guard-removed`); shared and empty when none. */
  warnings: readonly Issue[];
  /** Bytes of the file read so far, for progress. */
  bytesRead: number;
}

/** What a caller hears of the file besides its rows. */
export interface RowEvents {
  header: (header: ResolvedHeader) => void;
  /** A row whose cells are all empty, skipped: its line. */
  emptyRow?: (line: number) => void;
}

/** How cells are read besides their shape. */
export interface RowReading {
  /**
   * Keep a leading `'` before = + - @ tab CR or `'`, for a file the tool and
   * no guarding spreadsheet ever wrote. Never in a rejects file, whose guards
   * are the tool's own.
   */
  keepApostrophes?: boolean;
}

const NONE: readonly Issue[] = Object.freeze([]);

/** What each guard removed from a row's cells was: a warning on the column's field (a dropped column's is nobody's). */
function guardWarnings(
  values: readonly string[],
  removed: readonly number[],
  header: ResolvedHeader,
): readonly Issue[] {
  const warnings: Issue[] = [];
  for (const i of removed) {
    const column = header.columns[i];
    if (column && 'field' in column)
      warnings.push(issue('guard-removed', { field: column.field, value: guardedStart(values[i]!) }));
  }
  return warnings.length > 0 ? warnings : NONE;
}

/** How a file's items are read: `readCsvChunks`, or the same on a worker thread (reader-thread.ts). */
export type ChunkReader = (path: string, format: Partial<CsvFormat>) => AsyncGenerator<CsvItem[]>;

/** Rows in the chunks the file is read in: a chunk's rows are handled together, without a promise each. */
export async function* csvRowChunks(
  file: string,
  format: Partial<CsvFormat>,
  layout: FileLayout,
  map: ColumnMap,
  events: RowEvents,
  read: ChunkReader = readCsvChunks,
  reading: RowReading = {},
): AsyncGenerator<Row[]> {
  let header: ResolvedHeader | undefined;
  let keepApostrophes = false;
  for await (const items of read(file, format)) {
    const rows: Row[] = [];
    for (const item of items) {
      // The whole-file check has refused such a file already; never read past one.
      if (item.kind === 'unclosed-quote') throw inputError('unclosed-quote', { value: file, limit: item.line });
      if (item.kind === 'too-long') throw rowTooLong(file, item.line);
      if (item.kind === 'empty') {
        if (header) events.emptyRow?.(item.line);
        continue;
      }
      if (!header) {
        header = resolveHeader(item.values, layout, map);
        keepApostrophes = Boolean(reading.keepApostrophes) && !header.rejectsFile;
        events.header(header);
        continue;
      }
      // In every file, not only a rejects file: a clean-up may have dropped what said it was one.
      const values = item.values;
      const removed = keepApostrophes ? undefined : restoreRow(values);
      // A rejects file's guards are the tool's own, put there as it wrote the file: removing them changes nothing the file was given.
      const warnings = removed && !header.rejectsFile ? guardWarnings(values, removed, header) : NONE;
      const shape = shapeIssues(values, header);
      const issues = item.unterminated ? [...shape, issue('row-unterminated')] : shape;
      rows.push({ line: item.line, values, header, issues, warnings, bytesRead: item.bytesRead });
    }
    if (rows.length > 0) yield rows;
  }
  if (!header) throw inputError('missing-column', { value: file });
}

/** Rows one at a time, each with its fields as a record (the reference files: small, and read by field name throughout). */
export async function* csvRows(
  file: string,
  format: Partial<CsvFormat>,
  layout: FileLayout,
  map: ColumnMap,
  events: RowEvents,
): AsyncGenerator<Row & { fields: Record<string, string> }> {
  for await (const rows of csvRowChunks(file, format, layout, map, events)) {
    for (const row of rows) yield { ...row, fields: fieldsOf(row.values, row.header).fields };
  }
}
