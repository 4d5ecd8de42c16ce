/**
 * Files exactly as pandas writes them, for the round trips a migration team
 * makes through it (pandas itself is not a dependency of the project):
 * `pd.read_csv(path)` then `df.to_csv(path, index=False)`.
 *
 * - read_csv infers each column's type: a column of whole numbers is int64
 *   (leading zeros and a `+` lost), and float64 when any cell is blank, so it
 *   is written back with `.0`; anything else stays text. A blank cell, and the
 *   words read_csv takes for "missing" (`NA`, `null`, `nan`…), are NaN,
 *   written back blank. A UTF-8 byte-order mark is dropped.
 * - to_csv writes `\n` line endings, no byte-order mark, and quotes a cell
 *   only when it holds the separator, a quote (doubled) or a line break
 *   (Python's csv.QUOTE_MINIMAL).
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';

export type Frame = { columns: string[]; rows: (string | null)[][] };

/** read_csv's default missing-value words. */
const MISSING = new Set([
  '',
  '#N/A',
  '#N/A N/A',
  '#NA',
  '-1.#IND',
  '-1.#QNAN',
  '-NaN',
  '-nan',
  '1.#IND',
  '1.#QNAN',
  '<NA>',
  'N/A',
  'NA',
  'NULL',
  'NaN',
  'None',
  'n/a',
  'nan',
  'null',
]);
const INTEGER = /^[+-]?\d+$/;

/** `pd.read_csv(path)`: cells as to_csv will write them back (null for NaN). */
export function readCsv(path: string): Frame {
  const records: string[][] = parse(readFileSync(path), { bom: true, relax_column_count: true });
  const [columns, ...body] = records;
  const rows: (string | null)[][] = body.map((r) => columns!.map((_, i) => (MISSING.has(r[i] ?? '') ? null : r[i]!)));
  columns!.forEach((_, c) => {
    const cells = rows.map((r) => r[c]);
    const present = cells.filter((v): v is string => v !== null);
    if (present.length === 0 || !present.every((v) => INTEGER.test(v))) return;
    const asFloat = present.length < cells.length;
    for (const r of rows) if (r[c] !== null) r[c] = `${BigInt(r[c]!)}${asFloat ? '.0' : ''}`;
  });
  return { columns: columns!, rows };
}

const quoted = (cell: string) => (/[,"\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell);

/** `df.to_csv(path, index=False)`. */
export function writeCsv(path: string, frame: Frame): void {
  const lines = [frame.columns, ...frame.rows].map((r) => r.map((cell) => quoted(cell ?? '')).join(','));
  writeFileSync(path, `${lines.join('\n')}\n`);
}

/** `df.drop(columns=[c for c in df.columns if c.startswith('reject_')])`. */
export function dropRejectColumns(frame: Frame): Frame {
  const keep = frame.columns.map((c) => !c.startsWith('reject_'));
  return { columns: frame.columns.filter((_, i) => keep[i]), rows: frame.rows.map((r) => r.filter((_, i) => keep[i])) };
}

/** `df.loc[df[column] == value, target] = replacement`, on cells as read. */
export function setWhere(frame: Frame, column: string, value: string, target: string, replacement: string): Frame {
  const c = frame.columns.indexOf(column);
  const t = frame.columns.indexOf(target);
  return {
    ...frame,
    rows: frame.rows.map((r) => (r[c] === value ? r.map((cell, i) => (i === t ? replacement : cell)) : r)),
  };
}
