/**
 * Rows of a CSV file under a checked header, with the problems of each row's
 * shape. Shared by every importer, after the whole-file check (file-check.ts)
 * has made sure every byte and quote of the file reads faithfully.
 */

import { type Issue, issue } from '../domain/catalogue.js';
import { inputError } from '../domain/errors.js';
import { type ColumnMap, type FileLayout, type ResolvedHeader, fieldsOf, resolveHeader } from './header.js';
import { restoreRow } from './formula-guard.js';
import { type CsvFormat, type CsvItem, readCsvChunks } from './reader.js';
import { rowTooLong } from './file-check.js';

export interface Row {
  line: number;
  values: string[];
  fields: Record<string, string>;
  issues: Issue[];
  /** Bytes of the file read so far, for progress. */
  bytesRead: number;
}

/** What a caller hears of the file besides its rows. */
export interface RowEvents {
  header: (header: ResolvedHeader) => void;
  /** A row whose cells are all empty, skipped. */
  emptyRow?: () => void;
}

/** How a file's items are read: `readCsvChunks`, or the same on a worker thread (reader-thread.ts). */
export type ChunkReader = (path: string, format: Partial<CsvFormat>) => AsyncGenerator<CsvItem[]>;

/** Rows in the chunks the file is read in: a chunk's rows are handled together, without a promise each. */
export async function* csvRowChunks(
  file: string, format: Partial<CsvFormat>, layout: FileLayout, map: ColumnMap, events: RowEvents, read: ChunkReader = readCsvChunks,
): AsyncGenerator<Row[]> {
  let header: ResolvedHeader | undefined;
  for await (const items of read(file, format)) {
    const rows: Row[] = [];
    for (const item of items) {
      // The whole-file check has refused such a file already; never read past one.
      if (item.kind === 'unclosed-quote') throw inputError('unclosed-quote', { value: file, limit: item.line });
      if (item.kind === 'too-long') throw rowTooLong(file, item.line);
      if (item.kind === 'empty') {
        if (header) events.emptyRow?.();
        continue;
      }
      if (!header) {
        header = resolveHeader(item.values, layout, map);
        events.header(header);
        continue;
      }
      // In every file, not only a rejects file: a clean-up may have dropped what said it was one.
      const values = restoreRow(item.values);
      const { fields, issues } = fieldsOf(values, header);
      if (item.unterminated) issues.push(issue('row-unterminated'));
      rows.push({ line: item.line, values, fields, issues, bytesRead: item.bytesRead });
    }
    if (rows.length > 0) yield rows;
  }
  if (!header) throw inputError('missing-column', { value: file });
}

export async function* csvRows(
  file: string, format: Partial<CsvFormat>, layout: FileLayout, map: ColumnMap, events: RowEvents,
): AsyncGenerator<Row> {
  for await (const rows of csvRowChunks(file, format, layout, map, events)) yield* rows;
}
