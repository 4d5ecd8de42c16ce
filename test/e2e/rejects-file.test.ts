/**
 * The rejects file, the file a migration team lives in: a table every CSV
 * tool reads as its header says, safe to open in a spreadsheet, and exact
 * when it comes back.
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { dropRejectColumns, readCsv, setWhere, writeCsv } from '../support/pandas.js';
import { DRIVERS, type Target, fixtureStore, storedNotes } from '../support/targets.js';
import { HEADER } from '../support/contact-log.js';

const row = (ref: string, notes: string, extra = '') =>
  `${ref},1955839661,,agent,Renée Côté,email,,2020-02-02,authenticated,1234567,Letter,Sent a letter,"${notes.replace(/"/g, '""')}"${extra}`;

describe.each(DRIVERS)('rejects files on %s', (driver) => {
  let target: Target;
  let cwd: string;
  const cli = (args: string[]) => runCli(args, target.env, { cwd });
  const notesOf = (ref: string) => storedNotes(target, ref);
  /** A rejects file as csv-parse reads it in strict mode, a record per row, keyed by the header. */
  const strict = (name: string) =>
    parse<Record<string, string>>(readFileSync(join(cwd, name)), {
      bom: true,
      columns: true,
      relax_column_count: false,
    });

  beforeAll(async () => {
    ({ target, cwd } = await fixtureStore(driver, 'rejects'));
  });
  afterAll(() => target?.dispose());

  it("has exactly as many cells as its header: short rows padded, a long row's surplus quoted in its reasons", async () => {
    writeFileSync(
      join(cwd, 'shapes.csv'),
      `${[`${HEADER},`, `${row('S-1', 'long', ',blank,surplus one')}`, 'S-2,1955839661,,agent', `${row('S-3', 'trailing', ',value')}`, row('S-4', 'fine', ',')].join('\n')}\n`,
    );
    const r = await cli(['--json', 'import', 'shapes.csv', '--rejects', 'shapes.rejects.csv']);
    expect(r.json).toMatchObject({ rowsRead: 4, rowsAccepted: 1, rowsRejected: 3, rejectsByCode: { 'row-shape': 3 } });
    const records = strict('shapes.rejects.csv');
    expect(records.map((x) => [x.contact_ref, x.reject_line, x.reject_codes!.split(';')[0]])).toEqual([
      ['S-1', '2', 'row-shape'],
      ['S-2', '3', 'row-shape'],
      ['S-3', '4', 'row-shape'],
    ]);
    expect(records[0]!.reject_reasons).toContain('values beyond the header\'s 14 columns: "surplus one"');
    expect(records[1]).toMatchObject({ general_notes: '', reject_line: '3' });
  });

  it('guards a formula-looking note with one leading quote, and a corrected rejects file brings it back exactly', async () => {
    const formula = "=cmd|' /C calc'!A0";
    writeFileSync(
      join(cwd, 'formula.csv'),
      `${[HEADER, row('F-1', formula).replace('1234567', '9999999'), row('F-2', '-5 days late').replace('1234567', '9999999')].join('\n')}\n`,
    );
    await cli(['import', 'formula.csv', '--rejects', 'formula.rejects.csv']);
    const text = readFileSync(join(cwd, 'formula.rejects.csv'), 'utf8');
    expect(text.startsWith('\ufeff')).toBe(true);
    expect(text).toContain(`,'${formula},`);
    expect(text).toContain("'-5 days late");
    writeFileSync(join(cwd, 'formula-fixed.csv'), text.replace(/,9999999,/g, ',1234567,'));
    const r = await cli(['--json', 'import', 'formula-fixed.csv']);
    expect(r.json).toMatchObject({ rowsAccepted: 2, rowsRejected: 0 });
    expect((await notesOf('F-1'))!.general_notes).toBe(formula);
    expect((await notesOf('F-2'))!.general_notes).toBe('-5 days late');
  });

  it('the formula guard comes off in any file: a rejects file cleaned up in pandas, its reject columns dropped, stores what the log said', async () => {
    const notes = ['-5 days late', '=SUM(A1)', "'tis late", '+44 called back', '@home'];
    writeFileSync(
      join(cwd, 'guard.csv'),
      `${[HEADER, ...notes.map((n, i) => row(`G-${i}`, n).replace('1234567', '9999999'))].join('\n')}\n`,
    );
    expect((await cli(['import', 'guard.csv', '--rejects', 'guard.rejects.csv'])).code).toBe(1);
    // df = pd.read_csv(...); df = df.drop(columns=[...reject_...]); df.loc[df.operator_pid == 9999999, 'operator_pid'] = 1234567; df.to_csv(..., index=False)
    const frame = setWhere(
      dropRejectColumns(readCsv(join(cwd, 'guard.rejects.csv'))),
      'operator_pid',
      '9999999',
      'operator_pid',
      '1234567',
    );
    writeCsv(join(cwd, 'guard-cleaned.csv'), frame);
    expect(readFileSync(join(cwd, 'guard-cleaned.csv'), 'utf8')).toContain("'-5 days late");
    const r = await cli(['--json', 'import', 'guard-cleaned.csv']);
    expect(r.json).toMatchObject({ rowsRead: notes.length, rowsAccepted: notes.length, rowsRejected: 0 });
    for (const [i, note] of notes.entries()) expect((await notesOf(`G-${i}`))!.general_notes).toBe(note);
  });

  it('a log of its own reads the guard the same way; a quote before anything else is text', async () => {
    const cells = [
      ["'=SUM(A1)", '=SUM(A1)'],
      ["''tis late", "'tis late"],
      ["'tis late", "'tis late"],
      ["'1100102947 rang", "'1100102947 rang"],
      ["'-5", '-5'],
    ];
    writeFileSync(
      join(cwd, 'own-guard.csv'),
      `${[HEADER, ...cells.map(([cell], i) => row(`OG-${i}`, cell!))].join('\n')}\n`,
    );
    expect((await cli(['--json', 'import', 'own-guard.csv'])).json).toMatchObject({ rowsAccepted: cells.length });
    for (const [i, [, stored]] of cells.entries()) expect((await notesOf(`OG-${i}`))!.general_notes).toBe(stored);
  });

  it("a windows-1252 log's rejects file is UTF-8 and re-imports right with or without --encoding; the first file's line survives every round", async () => {
    const latin = Buffer.from(
      `${[HEADER, row('W-1', 'fine'), row('W-2', 'bad').replace('1234567', '9999999'), row('W-3', 'bad too').replace('1234567', '9999999')].join('\r\n')}\r\n`,
      'latin1',
    );
    writeFileSync(join(cwd, 'legacy.csv'), latin);
    await cli(['import', 'legacy.csv', '--encoding', 'windows-1252', '--rejects', 'round1.csv']);
    expect(strict('round1.csv').map((x) => [x.contact_name, x.reject_line])).toEqual([
      ['Renée Côté', '3'],
      ['Renée Côté', '4'],
    ]);
    // Round 2, still wrong, with --encoding as anyone would give it again: lines move, the source line stays.
    writeFileSync(
      join(cwd, 'round1-edited.csv'),
      `\ufeff${HEADER},reject_line,reject_codes,reject_reasons\n\n${readFileSync(join(cwd, 'round1.csv'), 'utf8').split('\n').slice(1).join('\n')}`,
    );
    await cli(['import', 'round1-edited.csv', '--encoding', 'windows-1252', '--rejects', 'round2.csv']);
    expect(strict('round2.csv').map((x) => [x.contact_name, x.reject_source_line, x.reject_line])).toEqual([
      ['Renée Côté', '3', '3'],
      ['Renée Côté', '4', '4'],
    ]);
    writeFileSync(
      join(cwd, 'round2-edited.csv'),
      readFileSync(join(cwd, 'round2.csv'), 'utf8').replace(/\n/, '\n\n\n'),
    );
    await cli(['import', 'round2-edited.csv', '--rejects', 'round3.csv']);
    expect(strict('round3.csv').map((x) => [x.reject_source_line, x.reject_line])).toEqual([
      ['3', '4'],
      ['4', '5'],
    ]);
    // Corrected at last, without --encoding this time.
    writeFileSync(
      join(cwd, 'round3-fixed.csv'),
      readFileSync(join(cwd, 'round3.csv'), 'utf8').replace(/,9999999,/g, ',1234567,'),
    );
    expect((await cli(['--json', 'import', 'round3-fixed.csv'])).json).toMatchObject({
      rowsAccepted: 2,
      rowsRejected: 0,
    });
    expect(await notesOf('W-2')).toEqual({ general_notes: 'bad', contact_name: 'Renée Côté' });
  });

  it('--warnings writes the accepted rows that carried warnings, in the same shape', async () => {
    writeFileSync(
      join(cwd, 'warn.csv'),
      `${[HEADER, row('WA-1', 'Sent the WAM letter'), row('WA-2', 'plain')].join('\n')}\n`,
    );
    const r = await cli(['--json', 'import', 'warn.csv', '--warnings', 'warn.warnings.csv']);
    expect(r.json).toMatchObject({ rowsAccepted: 2, warningsByCode: { abbreviation: 1 } });
    expect(strict('warn.warnings.csv').map((x) => [x.contact_ref, x.reject_line, x.reject_codes])).toEqual([
      ['WA-1', '2', 'abbreviation'],
    ]);
  });
});
