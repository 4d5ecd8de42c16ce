/**
 * What became of each row: an identical contact repeated anywhere in a file
 * is a duplicate; a refused row whose contact_ref is stored already is
 * superseded, counted apart and kept out of the rejects file; and
 * `--outcomes` lists every row with the stored contacts it became, seq by
 * seq as `export` shows them.
 */

import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCli } from '../support/cli.js';
import { DRIVERS, type Target, fixtureStore } from '../support/targets.js';

const HEADER =
  'contact_ref,utr,partners,contact_type,contact_name,channel,direction,enquiry_date,authentication,operator_pid,subject,action_taken,general_notes';
const PARTNERSHIP = '2108834503';
const row = (ref: string, notes: string, { utr = '1955839661', channel = 'email', subject = 'Letter' } = {}) =>
  `${ref},${utr},,agent,Jo Bloggs,${channel},,2020-02-02,authenticated,1234567,${subject},Sent a letter,${notes}`;

type Csv = Record<string, string>[];
const readCsv = (path: string): Csv => parse(readFileSync(path), { bom: true, columns: true });
interface OutcomeLine {
  line: string;
  reject_source_line: string;
  outcome: string;
  seq: string;
  source_key: string;
  codes: string;
}
const readOutcomes = (path: string): OutcomeLine[] => parse(readFileSync(path), { bom: true, columns: true });

describe.each(DRIVERS)('row outcomes on %s', (driver) => {
  let target: Target;
  let cwd: string;
  const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { ...target.env, ...env }, { cwd });
  const write = (name: string, lines: string[]) => {
    writeFileSync(join(cwd, name), `${[HEADER, ...lines].join('\n')}\n`);
    return join(cwd, name);
  };
  /** The export's rows (one an enquiry), by seq. */
  const exported = async (name: string) => {
    expect((await cli(['export', '--out', join(cwd, name)])).code).toBe(0);
    const bySeq = new Map<string, Csv>();
    for (const r of readCsv(join(cwd, name))) bySeq.set(r.seq!, [...(bySeq.get(r.seq!) ?? []), r]);
    return bySeq;
  };

  beforeAll(async () => {
    ({ target, cwd } = await fixtureStore(driver, 'outcomes'));
  });
  afterAll(() => target?.dispose());

  it('an identical contact repeated anywhere in the file is a duplicate; other rows under a used ref are contact-ref-reused', async () => {
    const file = write('repeats.csv', [
      row('RP-1', 'first'),
      row('RP-1', 'second'),
      row('RP-2', 'x'),
      row('RP-1', 'first'),
      row('RP-1', 'second'),
      row('RP-2', 'y'),
      row('RP-3', 'partners', { utr: PARTNERSHIP }),
      row('RP-1', 'first'),
      row('RP-3', 'partners', { utr: PARTNERSHIP }),
    ]);
    const counts = {
      rowsRead: 9,
      rowsAccepted: 4,
      rowsDuplicate: 3,
      rowsSuperseded: 0,
      rowsRejected: 2,
      rejectsByCode: { 'contact-ref-reused': 2 },
    };
    // A dry run in batches of two finds the repeats of earlier batches too, though it stores nothing.
    const dry = await cli(['--json', 'import', file, '--dry-run'], { CIS_CONTACT_BATCH_ROWS: '2' });
    expect(dry.json).toMatchObject(counts);
    const r = await cli(['--json', 'import', file, '--outcomes', 'repeats.outcomes.csv'], {
      CIS_CONTACT_BATCH_ROWS: '2',
    });
    expect(r.json).toMatchObject({ ...counts, contactsWritten: 5, outcomesFile: 'repeats.outcomes.csv' });
    const rejects = readCsv(join(cwd, 'repeats.rejects.csv'));
    expect(rejects.map((x) => [x.reject_line, x.reject_codes])).toEqual([
      ['7', 'contact-ref-reused'],
      ['9', 'contact-ref-reused'],
    ]);
    expect(rejects[0]!.reject_reasons).toContain(
      'contact_ref RP-2 was already used by the contact that began at line 4, with other rows',
    );

    const outcomes = readOutcomes(join(cwd, 'repeats.outcomes.csv'));
    expect(Object.keys(outcomes[0]!)).toEqual(['line', 'reject_source_line', 'outcome', 'seq', 'source_key', 'codes']);
    const at = (line: number) => outcomes.find((o) => o.line === String(line))!;
    expect(outcomes.map((o) => o.outcome)).toEqual([
      'accepted',
      'accepted',
      'accepted',
      'duplicate',
      'duplicate',
      'rejected',
      'accepted',
      'rejected',
      'duplicate',
    ]);
    // The repeat names the contact its first occurrence became; the partnership's, one for each partner.
    expect([at(5).seq, at(5).source_key]).toEqual([at(2).seq, 'RP-1']);
    expect(at(10).source_key.split(';').sort()).toEqual(['RP-3/1083016613', 'RP-3/1097172564', 'RP-3/8526018159']);
    expect([at(10).seq, at(10).source_key]).toEqual([at(8).seq, at(8).source_key]);
    expect(at(8).seq.split(';')).toHaveLength(3);
    expect(at(7)).toMatchObject({ seq: '', codes: 'contact-ref-reused' });
  });

  it('a refused row whose ref is stored is superseded: counted apart, listed with the stored seq, absent from the rejects file', async () => {
    const first = await cli([
      '--json',
      'import',
      write('stored.csv', [
        row('SS-1', 'as stored'),
        row('SS-2', 'as stored'),
        row('SS-3', 'as stored', { utr: PARTNERSHIP }),
        row('SS-5', 'as stored'),
      ]),
      '--outcomes',
      'stored.outcomes.csv',
    ]);
    expect(first.json).toMatchObject({ rowsAccepted: 4, contactsWritten: 6 });
    const storedAs = Object.fromEntries(
      readOutcomes(join(cwd, 'stored.outcomes.csv')).map((o) => [o.source_key.replace(/\/.*/, ''), o]),
    );

    const again = write('again.csv', [
      row('SS-1', 'as stored', { channel: 'carrier-pigeon' }),
      row('SS-2', 'as stored'),
      row('SS-3', 'as stored', { utr: PARTNERSHIP, subject: 'Gossip' }),
      row('SS-4', 'never stored', { channel: 'carrier-pigeon' }),
      row('SS-5', 'corrected otherwise'),
    ]);
    const r = await cli(['--json', 'import', again, '--outcomes', 'again.outcomes.csv', '--progress', 'json']);
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({
      rowsRead: 5,
      rowsAccepted: 0,
      rowsDuplicate: 1,
      rowsSuperseded: 2,
      rowsRejected: 2,
      rejectsByCode: { 'channel-invalid': 1, 'conflicts-with-recorded': 1 },
    });
    expect(JSON.parse(r.stderr.trim().split('\n').at(-1)!)).toMatchObject({
      event: 'progress',
      rowsSuperseded: 2,
      rowsDuplicate: 1,
      rowsRejected: 2,
    });
    const rejects = readCsv(join(cwd, 'again.rejects.csv'));
    expect(rejects.map((x) => x.contact_ref)).toEqual(['SS-4', 'SS-5']);
    expect(rejects[1]!.reject_reasons).toMatch(
      new RegExp(
        `SS-5 is already recorded with different content: as contact ${storedAs['SS-5']!.seq}, stored by \\S+ at \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC;`,
      ),
    );

    const outcomes = readOutcomes(join(cwd, 'again.outcomes.csv'));
    expect(outcomes.map((o) => [o.line, o.outcome, o.seq, o.codes])).toEqual([
      ['2', 'superseded', storedAs['SS-1']!.seq, 'channel-invalid'],
      ['3', 'duplicate', storedAs['SS-2']!.seq, ''],
      ['4', 'superseded', storedAs['SS-3']!.seq, 'subject-invalid'],
      ['5', 'rejected', '', 'channel-invalid'],
      ['6', 'rejected', '', 'conflicts-with-recorded'],
    ]);
    expect(outcomes[2]!.source_key).toBe(storedAs['SS-3']!.source_key);

    // The summary a person reads counts them apart.
    const human = await cli(['import', again, '--rejects', 'again2.rejects.csv']);
    expect(human.stdout).toMatch(/rows read\s+5\s+= 0 accepted \+ 1 duplicate \+ 2 superseded \+ 2 rejected/);
    expect(human.stdout).toMatch(
      /superseded\s+2\s+refused, but their contact_ref is stored with other content, which stands: nothing to fix/,
    );
  });

  it("--outcomes lists every row, empty ones too, and its seqs and keys are the export's, seq by seq", async () => {
    const lines = readFileSync(join(FIXTURES, 'contacts.csv'), 'utf8').split('\n');
    // A row of empty cells after the header, as a spreadsheet leaves them.
    writeFileSync(join(cwd, 'sample.csv'), [lines[0], ',,,,,,,,,,,,', ...lines.slice(1)].join('\n'));
    const r = await cli(['--json', 'import', 'sample.csv', '--outcomes', 'sample.outcomes.csv']);
    expect(r.json).toMatchObject({
      rowsRead: 16,
      rowsAccepted: 7,
      rowsRejected: 9,
      rowsEmpty: 1,
      partnerExpansions: 2,
    });
    const again = await cli([
      '--json',
      'import',
      'sample.csv',
      '--outcomes',
      'sample.again.csv',
      '--rejects',
      'sample.again.rejects.csv',
    ]);
    expect(again.json).toMatchObject({ rowsRead: 16, rowsDuplicate: 7, rowsRejected: 9 });
    const bySeq = await exported('sample.export.csv');

    const first = readOutcomes(join(cwd, 'sample.outcomes.csv'));
    const second = readOutcomes(join(cwd, 'sample.again.csv'));
    expect(first).toHaveLength(17);
    expect(first[0]).toMatchObject({ line: '2', outcome: 'empty', seq: '' });
    expect(new Set(first.map((o) => o.line)).size).toBe(17);
    const tally = (rows: OutcomeLine[]) =>
      rows.reduce<Record<string, number>>((t, o) => ({ ...t, [o.outcome]: (t[o.outcome] ?? 0) + 1 }), {});
    expect(tally(first)).toEqual({ empty: 1, accepted: 7, rejected: 9 });
    expect(tally(second)).toEqual({ empty: 1, duplicate: 7, rejected: 9 });
    // Each enquiry the import stored is one accepted row naming its seq with its key; the second run's duplicates name the same.
    const named = new Map<string, number>();
    for (const [i, o] of first.entries()) {
      const seqs = o.seq ? o.seq.split(';') : [];
      const keys = o.source_key ? o.source_key.split(';') : [];
      expect(keys).toHaveLength(seqs.length);
      seqs.forEach((seq, k) => {
        expect(bySeq.get(seq)?.[0]?.source_key).toBe(keys[k]);
        named.set(seq, (named.get(seq) ?? 0) + 1);
      });
      expect(seqs.length > 0).toBe(o.outcome === 'accepted');
      expect([second[i]!.line, second[i]!.seq, second[i]!.source_key]).toEqual([o.line, o.seq, o.source_key]);
    }
    const run = String(r.json.importRun);
    const stored = [...bySeq].filter(([, enquiries]) => enquiries[0]!.import_run_id === run);
    expect(stored).toHaveLength(8);
    for (const [seq, enquiries] of stored) expect(named.get(seq)).toBe(enquiries.length);
    expect(named.size).toBe(stored.length);
    // A partnership row lists each partner's contact.
    expect(first.reduce((more, o) => more + Math.max(0, (o.seq ? o.seq.split(';').length : 0) - 1), 0)).toBe(2);

    // Guarded like every output: never the input, never a file the tool did not write; its own is replaced whole.
    const onInput = await cli([
      'import',
      'sample.csv',
      '--outcomes',
      'sample.csv',
      '--rejects',
      'sample.third.rejects.csv',
    ]);
    expect(onInput.code).toBe(2);
    expect(onInput.stderr).toContain('[output-is-input]');
    expect(onInput.stderr).toContain("writing every row's outcome there would destroy the file being read");
    expect(onInput.stderr).toContain('--outcomes');
    writeFileSync(join(cwd, 'kept.csv'), "a file of the team's own\n");
    const onTheirs = await cli([
      'import',
      'sample.csv',
      '--outcomes',
      'kept.csv',
      '--rejects',
      'sample.third.rejects.csv',
    ]);
    expect(onTheirs.code).toBe(2);
    expect(onTheirs.stderr).toMatch(
      /kept\.csv exists and was not written by cis-contact: it overwrites only a file it wrote itself.*\[output-is-input\]/,
    );
    expect(onTheirs.stderr).not.toContain('rejects file');
    expect(readFileSync(join(cwd, 'kept.csv'), 'utf8')).toBe("a file of the team's own\n");
    const replaced = await cli([
      '--json',
      'import',
      'sample.csv',
      '--outcomes',
      'sample.outcomes.csv',
      '--rejects',
      'sample.third.rejects.csv',
    ]);
    expect(replaced.json).toMatchObject({ rowsDuplicate: 7, outcomesFile: 'sample.outcomes.csv' });
    expect(readOutcomes(join(cwd, 'sample.outcomes.csv')).map((o) => o.outcome)).toEqual(second.map((o) => o.outcome));
    expect(statSync(join(cwd, 'sample.outcomes.csv')).mode & 0o777).toBe(0o600);
  });
});
