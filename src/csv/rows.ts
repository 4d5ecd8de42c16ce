/**
 * Rows of a CSV file under a checked header, with the problems of each row as
 * text (shape, encoding, an unclosed quote). Shared by every importer.
 */

import { type Issue, issue } from '../domain/catalogue.js';
import { inputError } from '../domain/errors.js';
import { type ColumnMap, type FileLayout, type ResolvedHeader, encodingIssues, fieldsOf, resolveHeader } from './header.js';
import { type Encoding, readCsv } from './reader.js';

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

export async function* csvRows(
  file: string, encoding: Encoding, layout: FileLayout, map: ColumnMap, onHeader: (header: ResolvedHeader) => void,
): AsyncGenerator<Row> {
  let header: ResolvedHeader | undefined;
  const encodingName = encoding === 'utf-8' ? 'UTF-8' : 'windows-1252';
  for await (const item of readCsv(file, encoding)) {
    if (!header) {
      if (item.kind !== 'row') throw inputError('file-unreadable', `${file}: the header is not a complete CSV line`);
      header = resolveHeader(item.values, layout, map);
      onHeader(header);
      continue;
    }
    if (item.kind === 'unclosed-quote') {
      yield { line: item.line, values: [], fields: {}, issues: [issue('unclosed-quote')], bytesRead: Number.MAX_SAFE_INTEGER };
      continue;
    }
    const { fields, issues } = fieldsOf(item.values, header);
    issues.push(...encodingIssues(fields, encodingName, item.values));
    yield { line: item.line, values: item.values, fields, issues, bytesRead: item.bytesRead };
  }
  if (!header) throw inputError('missing-column', `${file} is empty: it has no header line`);
}
