/**
 * Exports a spreadsheet opens right: a CSV export starts with a UTF-8
 * byte-order mark (older exports without one still verify), and a CSV a
 * spreadsheet opened and saved again fails `verify --export` with the
 * likely cause named: zeros lost, dates rewritten, its separator changed.
 * `export --format xlsx` writes a workbook whose UTR, PID, ref and text
 * cells are text, read back by `verify --export`, by exceljs and by
 * Python's openpyxl where it is installed.
 */

import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { utrCheckCharacter } from '../../src/domain/utr.js';
import { runCli } from '../support/cli.js';
import { LIBREOFFICE, savedByLibreOffice } from '../support/libreoffice.js';
import { scratchFolder } from '../support/scratch.js';
import { DRIVERS, type Target, fixtureStore } from '../support/targets.js';

/** A Python with openpyxl, where one is installed (Debian: python3-openpyxl; .ci/run installs it). */
const OPENPYXL = ['python3', '/usr/bin/python3'].find(
  (python) => spawnSync(python, ['-c', 'import openpyxl']).status === 0,
);

/** A record of this test's own (a UTR never starts with 0: its first digit is the check character, never 0). */
const OWN_UTR = `${utrCheckCharacter('0305060708')}305060708`;
const ZERO_PID = '0123456';

/** Stores a contact on a record and by an operator whose numbers start with 0, with text beyond ASCII. */
async function storeZeroContact(
  cli: (args: string[]) => Promise<{ code: number | null; stderr: string }>,
  cwd: string,
): Promise<void> {
  writeFileSync(join(cwd, 'zero-registry.csv'), `utr,name,kind,partner_of\n${OWN_UTR},Café Zéro Ltd,subcontractor,\n`);
  writeFileSync(join(cwd, 'zero-operators.csv'), `pid,name,roles\n${ZERO_PID},Zoë Zero,CISR Processor\n`);
  expect((await cli(['registry', 'import', 'zero-registry.csv', '--rejects', '/dev/null'])).code).toBe(0);
  expect((await cli(['operators', 'import', 'zero-operators.csv', '--rejects', '/dev/null'])).code).toBe(0);
  const r = await cli([
    'record',
    '--utr',
    OWN_UTR,
    '--operator',
    ZERO_PID,
    '--contact-type',
    'agent',
    '--contact-name',
    'Renée Café',
    '--channel',
    'email',
    '--auth',
    'waived',
    '--date',
    '2020-02-02',
    '--ref',
    'ZERO-1',
    '--subject',
    'Letter',
    '--action',
    'Confirmed £1,200 deducted',
    '--notes',
    '=SUM(A1:A2) first line\nsecond line',
    '--subject',
    'Callback',
    '--action',
    '+44 call back',
  ]);
  expect(r.code, r.stderr).toBe(0);
}

/** What a spreadsheet writes when it saves an export it opened: no BOM, numbers and dates as it read them, CRLF, quotes only where needed. */
function resavedBySpreadsheet(text: string, separator = ','): string {
  const rows: string[][] = parse(text.replace(/^\ufeff/, ''), { relax_column_count: true });
  const header = rows[0]!;
  const asRead = rows.slice(1).map((row) =>
    row.map((cell, i) => {
      const column = header[i];
      if (/^\d+$/.test(cell) && (column === 'utr' || column === 'operator_pid' || column === 'partnership_utr'))
        return String(Number(cell));
      if (column === 'enquiry_date') return cell.replace(/^(\d{4})-(\d\d)-(\d\d)$/, '$3/$2/$1');
      return cell;
    }),
  );
  return stringify([header, ...asRead], { delimiter: separator, record_delimiter: '\r\n', quoted_match: /[\r\n]/ });
}

describe.each(DRIVERS)('exports in a spreadsheet on %s', (driver) => {
  let target: Target;
  let cwd: string;
  const cli = (args: string[]) => runCli(args, target.env, { cwd });

  beforeAll(async () => {
    ({ target, cwd } = await fixtureStore(driver, 'export-spreadsheets'));
    await storeZeroContact(cli, cwd);
    expect((await cli(['export', '--out', 'all.csv'])).code).toBe(0);
  }, 180_000);
  afterAll(() => target?.dispose());

  it('a CSV export starts with a UTF-8 byte-order mark; verify reads it, and an older export without one', async () => {
    const bytes = readFileSync(join(cwd, 'all.csv'));
    expect([...bytes.subarray(0, 4)]).toEqual([0xef, 0xbb, 0xbf, 's'.charCodeAt(0)]);
    expect(bytes.toString('utf8')).toContain('Renée Café');
    const ok = await cli(['verify', '--export', 'all.csv']);
    expect(ok.code, ok.stdout).toBe(0);
    writeFileSync(join(cwd, 'older.csv'), bytes.subarray(3));
    writeFileSync(join(cwd, 'older.csv.manifest.json'), readFileSync(join(cwd, 'all.csv.manifest.json')));
    const older = await cli(['verify', '--export', 'older.csv']);
    expect(older.code, older.stdout).toBe(0);
  });

  it('a CSV a spreadsheet saved again fails verify, the likely cause named', async () => {
    writeFileSync(join(cwd, 'resaved.csv'), resavedBySpreadsheet(readFileSync(join(cwd, 'all.csv'), 'utf8')));
    writeFileSync(join(cwd, 'resaved.csv.manifest.json'), readFileSync(join(cwd, 'all.csv.manifest.json')));
    const r = await cli(['verify', '--export', 'resaved.csv']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/NOT intact/);
    expect(r.stdout).toMatch(/Likely cause: the file looks saved again by a spreadsheet: /);
    expect(r.stdout).toContain(`leading zeros lost (operator_pid on line `);
    expect(r.stdout).toContain(`reads ${Number(ZERO_PID)})`);
    expect(r.stdout).toMatch(/dates rewritten \(enquiry_date on line \d+ reads \d\d\/\d\d\/\d{4}\)/);
    expect(r.stdout).toContain('the byte-order mark export writes first is gone');
    const json = await cli(['--json', 'verify', '--export', 'resaved.csv']);
    expect(json.json.hint).toMatch(/leading zeros lost/);
  });

  it.runIf(LIBREOFFICE)('a CSV LibreOffice opened and saved again fails verify, the likely cause named', async () => {
    const folder = scratchFolder('export-libreoffice-');
    const saved = savedByLibreOffice(join(cwd, 'all.csv'), folder, 'csv');
    copyFileSync(join(cwd, 'all.csv.manifest.json'), `${saved}.manifest.json`);
    const r = await cli(['verify', '--export', saved]);
    expect(r.code, r.stdout).toBe(1);
    // The PID 0123456 read as the number 123456 (and the first prev_hash, 64 zeros, as 0); the byte-order mark dropped.
    expect(r.stdout).toMatch(
      /Likely cause: the file looks saved again by a spreadsheet: leading zeros lost \(operator_pid on line 2 reads 123456\); the byte-order mark export writes first is gone/,
    );
  });

  it('a CSV whose first prev_hash a spreadsheet read as the number 0 names the zeros lost', async () => {
    const text = readFileSync(join(cwd, 'all.csv'), 'utf8');
    const zeros = `,${'0'.repeat(64)},`;
    expect(text).toContain(zeros);
    writeFileSync(join(cwd, 'zero-hash.csv'), text.replace(zeros, ',0,'));
    copyFileSync(join(cwd, 'all.csv.manifest.json'), join(cwd, 'zero-hash.csv.manifest.json'));
    const r = await cli(['verify', '--export', 'zero-hash.csv']);
    expect(r.code, r.stdout).toBe(1);
    expect(r.stdout).toMatch(
      /Likely cause: the file looks saved again by a spreadsheet: leading zeros lost \(prev_hash on line 2 reads 0\)\./,
    );
  });

  it('a CSV saved again with semicolons is named as such, not as a stranger', async () => {
    writeFileSync(join(cwd, 'semicolons.csv'), resavedBySpreadsheet(readFileSync(join(cwd, 'all.csv'), 'utf8'), ';'));
    writeFileSync(join(cwd, 'semicolons.csv.manifest.json'), readFileSync(join(cwd, 'all.csv.manifest.json')));
    const r = await cli(['verify', '--export', 'semicolons.csv']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/separated by semicolons, not commas: a spreadsheet saved it again/);
  });

  it('export --format xlsx: text cells are text, the date a date, the header frozen; verify reads it back', async () => {
    const r = await cli(['--json', 'export', '--format', 'xlsx', '--out', 'all.xlsx']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ format: 'xlsx', manifestFile: 'all.xlsx.manifest.json' });
    const ok = await cli(['verify', '--export', 'all.xlsx']);
    expect(ok.code, ok.stdout).toBe(0);
    expect(ok.stdout).toMatch(/^Intact: 1 entry in all\.xlsx/);

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(join(cwd, 'all.xlsx'));
    const sheet = workbook.worksheets[0]!;
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    const column = (name: string) => header.indexOf(name) + 1;
    const rows: ExcelJS.Row[] = [];
    sheet.eachRow((row) => {
      if (row.number > 1 && row.getCell(column('utr')).value === OWN_UTR) rows.push(row);
    });
    expect(rows).toHaveLength(2);
    const [letter] = rows;
    for (const [name, value] of [
      ['utr', OWN_UTR],
      ['operator_pid', ZERO_PID],
      ['source_key', 'ZERO-1'],
      ['contact_name', 'Renée Café'],
      ['action_taken', 'Confirmed £1,200 deducted'],
      ['general_notes', '=SUM(A1:A2) first line\nsecond line'],
    ] as const) {
      const cell = letter!.getCell(column(name));
      expect([name, cell.type, cell.value]).toEqual([name, ExcelJS.ValueType.String, value]);
      expect(cell.numFmt, name).toBe('@');
    }
    expect(rows[1]!.getCell(column('action_taken')).value).toBe('+44 call back');
    const date = letter!.getCell(column('enquiry_date'));
    expect(date.type).toBe(ExcelJS.ValueType.Date);
    expect((date.value as Date).toISOString()).toBe('2020-02-02T00:00:00.000Z');
    expect(letter!.getCell(column('seq')).type).toBe(ExcelJS.ValueType.Number);
  });

  it.runIf(OPENPYXL)("Python's openpyxl reads the workbook's text cells as text and its date as a date", async () => {
    expect((await cli(['export', '--format', 'xlsx', '--out', 'for-python.xlsx'])).code).toBe(0);
    const script = [
      'import json, sys, openpyxl',
      'sheet = openpyxl.load_workbook(sys.argv[1], read_only=True).worksheets[0]',
      'rows = list(sheet.iter_rows())',
      'header = [c.value for c in rows[0]]',
      'found = [r for r in rows[1:] if r[header.index("utr")].value == sys.argv[2]]',
      'print(json.dumps([[r[header.index(n)].data_type, r[header.index(n)].value if r[header.index(n)].data_type == "s" else str(r[header.index(n)].value)] for r in found for n in ("utr", "operator_pid", "general_notes", "enquiry_date")]))',
    ].join('\n');
    const read = spawnSync(OPENPYXL!, ['-c', script, join(cwd, 'for-python.xlsx'), OWN_UTR], { encoding: 'utf8' });
    expect(read.status, read.stderr).toBe(0);
    expect(JSON.parse(read.stdout).slice(0, 4)).toEqual([
      ['s', OWN_UTR],
      ['s', ZERO_PID],
      ['s', '=SUM(A1:A2) first line\nsecond line'],
      ['d', '2020-02-02 00:00:00'],
    ]);
  });

  it('a workbook whose UTR cell became a number fails verify, naming the cell', async () => {
    expect((await cli(['export', '--format', 'xlsx', '--out', 'to-edit.xlsx'])).code).toBe(0);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(join(cwd, 'to-edit.xlsx'));
    const sheet = workbook.worksheets[0]!;
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    sheet.eachRow((row) => {
      const cell = row.getCell(header.indexOf('utr') + 1);
      if (cell.value === OWN_UTR) cell.value = Number(OWN_UTR);
    });
    await workbook.xlsx.writeFile(join(cwd, 'edited.xlsx'));
    copyFileSync(join(cwd, 'to-edit.xlsx.manifest.json'), join(cwd, 'edited.xlsx.manifest.json'));
    const r = await cli(['verify', '--export', 'edited.xlsx']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /\[altered, recorded by \w+\]: entry \d+, row \d+: the utr cell holds a number, not text as export writes it/,
    );
  });

  it('a workbook is written to a file only', async () => {
    const r = await cli(['export', '--format', 'xlsx']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/a workbook is written to a file: give --out FILE\.xlsx/);
  });
});

describe.runIf(!OPENPYXL)('openpyxl', () => {
  it("a workbook read by Python's openpyxl: skipped, no python3 with openpyxl (Debian: apt-get install python3-openpyxl)", () => {
    expect(OPENPYXL).toBeUndefined();
  });
});
