/**
 * What spreadsheets write by default imports, read as it was meant: Excel in
 * a European locale (semicolons), Excel's "Unicode Text" (UTF-16, tabs),
 * trailing empty rows, line endings mixed by tools appending to a file; and
 * each reference file is read in its own encoding.
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { utrCheckCharacter } from '../../src/domain/utr.js';
import { MAX_ROW_CHARS } from '../../src/csv/reader.js';
import { FIXTURES, runCli } from '../support/cli.js';
import { DRIVERS, type Target, fixtureStore, queryStore, storedCounts, storedNotes } from '../support/targets.js';
import { HEADER } from '../support/contact-log.js';

const row = (ref: string, notes: string, utr = '1955839661') =>
  `${ref},${utr},,agent,Jo Bloggs,email,,2020-02-02,authenticated,1234567,Letter,Sent a letter,${notes}`;

describe.each(DRIVERS)('spreadsheet files on %s', (driver) => {
  let target: Target;
  let cwd: string;
  const cli = (args: string[]) => runCli(args, target.env, { cwd });
  const write = (name: string, content: string | Buffer) => {
    writeFileSync(join(cwd, name), content);
    return join(cwd, name);
  };

  beforeAll(async () => {
    ({ target, cwd } = await fixtureStore(driver, 'spreadsheet'));
  });
  afterAll(() => target?.dispose());

  it('Excel in a European locale: separated by semicolons, with its trailing empty rows, imports as it is; the summary adds up', async () => {
    const r = await cli(['import', join(FIXTURES, 'contacts-semicolon.csv')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/rows read +4 {2}= 4 accepted \+ 0 duplicate \+ 0 rejected\n/);
    expect(r.stdout).toMatch(/empty rows skipped +2 {2}rows whose cells are all empty; not in rows read\n/);
    // One row is a partnership's with two partners: six contacts from four.
    expect(r.stdout).toMatch(
      /contacts written +6 {2}= 4 accepted contacts \+ 2 more from partnership rows, recorded on each partner\n/,
    );
    const again = await cli(['--json', 'import', join(FIXTURES, 'contacts-semicolon.csv')]);
    expect(again.json).toMatchObject({
      rowsRead: 4,
      rowsAccepted: 0,
      rowsDuplicate: 4,
      rowsRejected: 0,
      rowsEmpty: 2,
      contactsWritten: 0,
    });
    expect(await storedNotes(target, 'EU-1')).toEqual({
      general_notes: 'Agent asked why the return was late; advised of the filing date.',
      contact_name: 'Renée Côté',
    });
    // A partnership's contact, on each partner's record.
    expect((await storedNotes(target, 'EU-3/1097172564'))?.general_notes).toBe(
      'Partners dispute the penalty,\nin person.',
    );
    const [eu2] = await queryStore<{ date: string }>(
      target,
      sql`select enquiry_date::text as date from public.contacts where source_key = 'EU-2'`,
    );
    expect(eu2!.date).toBe('2015-04-01');
  });

  it('Excel\'s "Unicode Text" (UTF-16 with its byte-order mark, tab-separated) imports, whatever --encoding the last hint gave', async () => {
    const r = await cli(['--json', 'import', join(FIXTURES, 'contacts-unicode.txt'), '--encoding', 'windows-1252']);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ rowsRead: 3, rowsAccepted: 3, rowsRejected: 0 });
    expect(await storedNotes(target, 'UT-1')).toEqual({
      general_notes: 'Agent will pass it to Françoise, the client.',
      contact_name: 'Renée Côté',
    });
    expect((await storedNotes(target, 'UT-2'))?.general_notes).toBe('Two lines:\nthe second holds a\ttab.');
    // Saved without its byte-order mark, it is refused, naming UTF-16 rather than sending the user to windows-1252.
    const bare = write('unicode-bare.txt', readFileSync(join(FIXTURES, 'contacts-unicode.txt')).subarray(2));
    const refused = await cli(['import', bare]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /looks like UTF-16 \(Excel's "Unicode Text"\) saved without its byte-order mark \[invalid-encoding\]/,
    );
    expect(refused.stderr).not.toContain('\u0000');
  });

  it('line endings mixed in one file (CRLF rows, then LF rows another tool appended) are read as any CSV reader reads them', async () => {
    const file = write(
      'mixed.csv',
      `${[HEADER, row('MX-1', '"first,\r\nCRLF"'), row('MX-2', 'crlf')].join('\r\n')}\r\n${[row('MX-3', 'lf'), row('MX-4', '"appended"')].join('\n')}\n${row('MX-5', 'old mac')}\r`,
    );
    const r = await cli(['--json', 'import', file]);
    expect(r.json).toMatchObject({ rowsRead: 5, rowsAccepted: 5, rowsRejected: 0 });
    expect((await storedNotes(target, 'MX-1'))?.general_notes).toBe('first,\nCRLF');
    expect((await storedNotes(target, 'MX-4'))?.general_notes).toBe('appended');
  });

  it("Excel's trailing empty rows in a registry or operators file are skipped and counted, not rejected", async () => {
    const utr = `${utrCheckCharacter('0555555555')}555555555`;
    const registry = write(
      'registry-excel.csv',
      `utr,name,kind,partner_of\r\n${utr},Trailing Rows Ltd,contractor,\r\n,,,\r\n,,,\r\n`,
    );
    const operators = write(
      'operators-excel.csv',
      'pid,name,roles\r\n7777771,Trailing Person,CISR Processor\r\n,,\r\n',
    );
    const reg = await cli(['--json', 'registry', 'import', registry]);
    expect(reg.code).toBe(0);
    expect(reg.json).toMatchObject({ rowsRead: 1, rowsAccepted: 1, rowsRejected: 0, rowsEmpty: 2 });
    const ops = await cli(['--json', 'operators', 'import', operators]);
    expect(ops.json).toMatchObject({ rowsRead: 1, rowsAccepted: 1, rowsRejected: 0, rowsEmpty: 1 });
    const log = await cli([
      '--json',
      'import',
      write('log-excel.csv', `${HEADER}\n${row('EX-1', 'fine', utr)}\n,,,,,,,,,,,,\n`),
    ]);
    expect(log.json).toMatchObject({ rowsRead: 1, rowsAccepted: 1, rowsEmpty: 1 });
  });

  it('a row longer than the reader takes, without a quote in it, is named as such before anything is written', async () => {
    const file = write(
      'long.csv',
      `${HEADER}\n${row('LONG-1', 'fine')}\n${row('LONG-2', 'x'.repeat(MAX_ROW_CHARS + 1))}\n`,
    );
    const before = await storedCounts(target);
    const r = await cli(['import', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the row at line 3 runs past 1,048,576 characters without ending.*\[file-unreadable\]/s);
    expect(r.stderr).not.toMatch(/quote/);
    expect(await storedCounts(target)).toEqual(before);
  });

  it('each reference file is read in its own encoding: a windows-1252 registry beside a rejects file, a registry rejects file beside windows-1252', async () => {
    const first = `${utrCheckCharacter('0666666666')}666666666`;
    const second = `${utrCheckCharacter('0666666667')}666666667`;
    // A windows-1252 log with a row for a record not loaded yet: its rejects file is UTF-8.
    write(
      'enc-log.csv',
      Buffer.from(
        `${HEADER}\r\n${row('ENC-1', 'Fran\u00e7ois called', first)}\r\n${row('ENC-2', 'Called again', second)}\r\n`,
        'latin1',
      ),
    );
    expect((await cli(['import', 'enc-log.csv', '--encoding', 'windows-1252'])).code).toBe(1);
    write(
      'enc-registry.csv',
      Buffer.from(`utr,name,kind,partner_of\r\n${first},Fran\u00e7ois Builders,contractor,\r\n`, 'latin1'),
    );
    // The registry's own rejects file, corrected: UTF-8 with its byte-order mark.
    write(
      'enc-registry2.csv',
      Buffer.from(`utr,name,kind,partner_of\r\n${second},Ren\u00e9e Roofing,roofer,\r\n`, 'latin1'),
    );
    expect((await cli(['registry', 'import', 'enc-registry2.csv', '--encoding', 'windows-1252'])).code).toBe(1);
    write(
      'enc-registry2-fixed.csv',
      readFileSync(join(cwd, 'enc-registry2.rejects.csv'), 'utf8').replace(',roofer,', ',contractor,'),
    );
    const r = await cli([
      '--json',
      'import',
      'enc-log.rejects.csv',
      '--registry',
      'enc-registry.csv',
      '--encoding',
      'windows-1252',
    ]);
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({ rowsAccepted: 1, rowsRejected: 1, registry: { rowsAccepted: 1 } });
    const names = async (utr: string) =>
      (await queryStore<{ name: string }>(target, sql`select name from public.cis_records where utr = ${utr}`))[0]
        ?.name;
    expect(await names(first)).toBe('François Builders');
    const again = await cli([
      '--json',
      'import',
      'enc-log.rejects.csv',
      '--registry',
      'enc-registry2-fixed.csv',
      '--encoding',
      'windows-1252',
      '--rejects',
      'enc-again.csv',
    ]);
    expect(again.code).toBe(0);
    expect(again.json).toMatchObject({ rowsAccepted: 1, rowsDuplicate: 1, registry: { rowsAccepted: 1 } });
    expect(await names(second)).toBe('Renée Roofing');
    expect((await storedNotes(target, 'ENC-1'))?.general_notes).toBe('François called');
  });
});
