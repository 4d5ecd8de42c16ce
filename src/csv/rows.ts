/**
 * Rows of a CSV file under a checked header, with the problems of each row as
 * text (shape, encoding, an unclosed quote). Shared by every importer.
 */

import { type Issue, issue } from '../domain/catalogue.js';
import { inputError } from '../domain/errors.js';
import { type ColumnMap, type FileLayout, type ResolvedHeader, encodingIssues, fieldsOf, resolveHeader } from './header.js';
import { type Encoding, readCsvChunks } from './reader.js';

export interface Row {
  line: number;
  values: string[];
  fields: Record<string, string>;
  issues: Issue[];
  /** Bytes of the file read so far, for progress. */
  bytesRead: number;
}

export function unreadable(row: Row): boolean {
  return row.issues.some((i) => i.code === 'unclosed-quote');
}

/** Rows in the chunks the file is read in: a chunk's rows are handled together, without a promise each. */
export async function* csvRowChunks(
  file: string, encoding: Encoding, layout: FileLayout, map: ColumnMap, onHeader: (header: ResolvedHeader) => void,
): AsyncGenerator<Row[]> {
  let header: ResolvedHeader | undefined;
  const encodingName = encoding === 'utf-8' ? 'UTF-8' : 'windows-1252';
  for await (const items of readCsvChunks(file, encoding)) {
    const rows: Row[] = [];
    for (const item of items) {
      if (!header) {
        if (item.kind !== 'row') throw inputError('file-unreadable', `${file}: the header is not a complete CSV line`);
        header = resolveHeader(item.values, layout, map);
        onHeader(header);
        continue;
      }
      if (item.kind === 'unclosed-quote') {
        rows.push({ line: item.line, values: [], fields: {}, issues: [issue('unclosed-quote')], bytesRead: Number.MAX_SAFE_INTEGER });
        continue;
      }
      const { fields, issues } = fieldsOf(item.values, header);
      const encodingProblems = encodingIssues(fields, encodingName, item.values);
      if (encodingProblems.length > 0) issues.push(...encodingProblems);
      rows.push({ line: item.line, values: item.values, fields, issues, bytesRead: item.bytesRead });
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
