/**
 * The whole-file pass follows one column over the raw bytes: it must find
 * the cells, and the lines, the reader finds, however the file is cut into
 * chunks.
 */

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ColumnScan } from '../../src/csv/column-scan.js';
import { readCsv } from '../../src/csv/reader.js';
import { scratchFolder } from '../support/scratch.js';

const dir = scratchFolder('column-scan-');

/** The column's cells, with their lines, as the scan finds them with the file cut into chunks of `size` bytes. */
function scanned(bytes: Buffer, size: number, column = 'date', delimiter = ','): [string, number][] {
  const cells: [string, number][] = [];
  let finished = false;
  const scan = new ColumnScan(
    {
      column: (header) => (header.indexOf(column) === -1 ? undefined : header.indexOf(column)),
      cell: (value, line) => cells.push([value, line]),
      finish: () => (finished = true),
    },
    'utf-8',
    delimiter,
  );
  for (let at = 0; at < bytes.length; at += size) scan.push(bytes.subarray(at, at + size));
  scan.end();
  expect(finished).toBe(true);
  // A row of empty cells, which the reader skips, says nothing of a column either way.
  return cells.filter(([value]) => value !== '');
}

/** The same as the reader (csv-parse) reads them. */
async function read(bytes: Buffer, column = 'date', delimiter: ',' | ';' = ','): Promise<[string, number][]> {
  const path = join(dir, `f${Math.random().toString(36).slice(2)}.csv`);
  writeFileSync(path, bytes);
  const cells: [string, number][] = [];
  let index: number | undefined;
  for await (const item of readCsv(path, { delimiter })) {
    if (item.kind !== 'row') continue;
    if (index === undefined) index = item.values.indexOf(column);
    else if (index < item.values.length && item.values[index] !== '') cells.push([item.values[index]!, item.line]);
  }
  return cells;
}

describe('ColumnScan', () => {
  it('finds the cells and lines the reader finds: quotes, line breaks inside them, CRLF, CR, blank lines, a byte-order mark, no final line break', async () => {
    const text =
      '\uFEFFref,"da""te",date,notes\r\n' +
      'A,x,01/02/2015,"two\r\nlines, and a comma"\r\n' +
      '\r\n' +
      'B,"y\ny","03/04/2015","quoted ""date"" near"\n' +
      'C,,,\r' +
      ',,,\n' +
      'D,z,"05/06/2015\n",plain';
    const bytes = Buffer.from(text);
    const expected = await read(bytes);
    expect(expected.map(([v]) => v)).toEqual(['01/02/2015', '03/04/2015', '05/06/2015\n']);
    for (const size of [1, 2, 3, 5, 7, 64, bytes.length])
      expect(scanned(bytes, size), `chunks of ${size}`).toEqual(expected);
  });

  it('follows a semicolon-separated file, and a header without the column follows nothing', async () => {
    const bytes = Buffer.from('a;date\n1;"2,3"\n4;5\n');
    expect(scanned(bytes, 3, 'date', ';')).toEqual(await read(bytes, 'date', ';'));
    expect(scanned(bytes, 3, 'missing', ';')).toEqual([]);
  });
});
