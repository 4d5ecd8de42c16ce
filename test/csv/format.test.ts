import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decideFormat } from '../../src/csv/format.js';
import { checkWholeFile } from '../../src/csv/file-check.js';
import { MAX_ROW_CHARS } from '../../src/csv/reader.js';
import { CONTACT_LOG_LAYOUT } from '../../src/import/contact-log.js';
import { OPERATORS_LAYOUT } from '../../src/import/reference-loader.js';
import { scratchFolder } from '../support/scratch.js';

const dir = scratchFolder('cis-format-');
let files = 0;
const fileOf = (content: string | Buffer) => {
  const path = join(dir, `f${files++}.csv`);
  writeFileSync(path, content);
  return path;
};
const COLUMNS = [
  'contact_ref',
  'utr',
  'partners',
  'contact_type',
  'contact_name',
  'channel',
  'direction',
  'enquiry_date',
  'authentication',
  'operator_pid',
  'subject',
  'action_taken',
  'general_notes',
];

describe('how a file is written, decided from the file', () => {
  it('finds the separator from the header: the one that makes it name known columns', () => {
    for (const d of [',', ';', '\t'] as const) {
      expect(decideFormat(fileOf(`${COLUMNS.join(d)}\n`), {}, CONTACT_LOG_LAYOUT).delimiter, JSON.stringify(d)).toBe(d);
    }
    // Quoted names, Excel style, and a legacy header the map names.
    expect(
      decideFormat(fileOf('"UTR";"Tel Type";"PID"\r\n'), {}, CONTACT_LOG_LAYOUT, {
        columns: new Map([['tel_type', 'channel']]),
        values: new Map(),
      }).delimiter,
    ).toBe(';');
    // A header whose commas split it into known columns stays comma-separated, whatever else it holds.
    expect(decideFormat(fileOf('pid,name,roles;extra\n'), {}, OPERATORS_LAYOUT).delimiter).toBe(',');
    // Nothing known whichever way: a comma, and the header check says what is wrong.
    expect(decideFormat(fileOf('foo;bar\n'), {}, CONTACT_LOG_LAYOUT).delimiter).toBe(',');
    expect(
      decideFormat(fileOf(`${COLUMNS.join(',')}\n`), { delimiter: 'semicolon' }, CONTACT_LOG_LAYOUT).delimiter,
    ).toBe(';');
    expect(() => decideFormat(fileOf('a\n'), { delimiter: '|' }, CONTACT_LOG_LAYOUT)).toThrow(
      /unsupported separator "\|": use , ; or tab/,
    );
  });

  it('reads UTF-16 by its byte-order mark whatever --encoding says; refuses a header of NUL bytes, naming UTF-16', () => {
    const text = `\ufeff${COLUMNS.join('\t')}\r\n`;
    const le = Buffer.from(text, 'utf16le');
    expect(decideFormat(fileOf(le), { encoding: 'windows-1252' }, CONTACT_LOG_LAYOUT)).toEqual({
      encoding: 'utf-16le',
      delimiter: '\t',
    });
    expect(decideFormat(fileOf(Buffer.from(le).swap16()), {}, CONTACT_LOG_LAYOUT)).toEqual({
      encoding: 'utf-16be',
      delimiter: '\t',
    });
    const bare = fileOf(le.subarray(2));
    expect(() => decideFormat(bare, {}, CONTACT_LOG_LAYOUT)).toThrow(
      /holds NUL bytes in its header: it looks like UTF-16/,
    );
    expect(decideFormat(bare, { encoding: 'utf-16' }, CONTACT_LOG_LAYOUT)).toEqual({
      encoding: 'utf-16le',
      delimiter: '\t',
    });
  });

  it('a rejects file with its byte-order mark is UTF-8 whatever --encoding says; without it, as --encoding says', () => {
    const header = `${COLUMNS.join(',')},reject_line,reject_codes,reject_reasons\n`;
    expect(decideFormat(fileOf(`\ufeff${header}`), { encoding: 'windows-1252' }, CONTACT_LOG_LAYOUT).encoding).toBe(
      'utf-8',
    );
    expect(decideFormat(fileOf(header), { encoding: 'windows-1252' }, CONTACT_LOG_LAYOUT).encoding).toBe(
      'windows-1252',
    );
    expect(
      decideFormat(fileOf(`\ufeff${COLUMNS.join(',')}\n`), { encoding: 'windows-1252' }, CONTACT_LOG_LAYOUT).encoding,
    ).toBe('windows-1252');
  });

  it('the whole-file check names a row too long for the reader as such, however late, never as a quote', async () => {
    const path = fileOf(`a,b\n${'1,2\n'.repeat(100000)}3,${'x'.repeat(MAX_ROW_CHARS + 1)}\n`);
    await expect(checkWholeFile(path, { format: {} })).rejects.toMatchObject({
      code: 'file-unreadable',
      message: expect.stringMatching(/the row at line 100002 runs past 1,048,576 characters without ending/),
    });
  });
});
