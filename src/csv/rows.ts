/**
 * Rows of a CSV file under a checked header, with the problems of each row's
 * shape. Shared by every importer, after the whole-file check (file-check.ts)
 * has made sure every byte and quote of the file reads faithfully.
 */

import { type Issue, issue } from '../domain/catalogue.js';
import { inputError } from '../domain/errors.js';
import { type ColumnMap, type FileLayout, type ResolvedHeader, fieldsOf, resolveHeader } from './header.js';
import { restoreRow } from './formula-guard.js';
import { type Encoding, readCsvChunks } from './reader.js';

export interface Row {
  line: number;
  values: string[];
  fields: Record<string, string>;
  issues: Issue[];
  /** Bytes of the file read so far, for progress. */
  bytesRead: number;
}

/** Rows in the chunks the file is read in: a chunk's rows are handled together, without a promise each. */
export async function* csvRowChunks(
  file: string, encoding: Encoding, layout: FileLayout, map: ColumnMap, onHeader: (header: ResolvedHeader) => void,
): AsyncGenerator<Row[]> {
  let header: ResolvedHeader | undefined;
  for await (const items of readCsvChunks(file, encoding)) {
    const rows: Row[] = [];
    for (const item of items) {
      if (!header) {
        if (item.kind !== 'row') throw inputError('file-unreadable', `${file}: the header is not a complete CSV line`);
        header = resolveHeader(item.values, layout, map);
        onHeader(header);
        continue;
      }
      // The whole-file check has refused such a file already; never read past one.
      if (item.kind === 'unclosed-quote') throw inputError('unclosed-quote', `${file}: line ${item.line} opens a quoted field that is never closed`);
      // In every file, not only a rejects file: a clean-up may have dropped what said it was one.
      const values = restoreRow(item.values);
      const { fields, issues } = fieldsOf(values, header);
      if (item.unterminated) issues.push(issue('row-unterminated'));
      rows.push({ line: item.line, values, fields, issues, bytesRead: item.bytesRead });
    }
    if (rows.length > 0) yield rows;
  }
  if (!header) throw inputError('missing-column', `${file} is empty: it has no header line`);
}

export async function* csvRows(
  file: string, encoding: Encoding, layout: FileLayout, map: ColumnMap, onHeader: (header: ResolvedHeader) => void,
): AsyncGenerator<Row> {
  for await (const rows of csvRowChunks(file, encoding, layout, map, onHeader)) yield* rows;
}
