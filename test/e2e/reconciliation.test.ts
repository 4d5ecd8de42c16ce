/**
 * Reconciliation as a migration team does it: a generated log of a few
 * thousand rows with every kind of outcome, imported in three rounds with
 * fixes made in the rejects files, each round with `--outcomes`. Joining the
 * outcome files to the export accounts for every input line exactly once,
 * and every stored enquiry of those rounds is the outcome of exactly one row.
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { DRIVERS, type Target, fixtureStore } from '../support/targets.js';

const HEADER = [
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
const PARTNERSHIP = '2108834503';
const BAD_CHANNEL = 'carrier-pigeon';
const BAD_SUBJECT = 'Gossip';
const BAD_DATE = '31/02/2020';
const UNKNOWN_PID = '9999999';

/** What each generated row is, and the outcome it must end with once the rounds are done. */
const FINAL = {
  ok: 'accepted',
  multi: 'accepted',
  partnership: 'accepted',
  refless: 'accepted',
  twin: 'accepted',
  repeat: 'duplicate',
  'earlier-same': 'duplicate',
  'earlier-refused': 'superseded',
  'earlier-conflict': 'accepted',
  'fix-channel': 'accepted',
  'fix-subject': 'accepted',
  'fix-both': 'accepted',
  'fix-refless': 'accepted',
  reused: 'accepted',
  never: 'rejected',
  empty: 'empty',
} as const;
type Kind = keyof typeof FINAL;

interface Spec {
  ref?: string;
  utr?: string;
  channel?: string;
  subject?: string;
  date?: string;
  pid?: string;
  notes: string;
}
const cells = (s: Spec) => [
  s.ref ?? '',
  s.utr ?? '1955839661',
  '',
  'agent',
  'Jo Bloggs',
  s.channel ?? 'email',
  '',
  s.date ?? '2020-02-02',
  'authenticated',
  s.pid ?? '1234567',
  s.subject ?? 'Letter',
  'Sent a letter',
  s.notes,
];

interface OutcomeLine {
  line: string;
  reject_source_line: string;
  outcome: string;
  seq: string;
  source_key: string;
  codes: string;
}

/** The log: its rows (a kind each), and a smaller earlier log some of its refs were stored from. */
function generate(cycles: number) {
  const rows: { kind: Kind; cells: string[] }[] = [];
  const later: { kind: Kind; cells: string[] }[] = [];
  const earlier: string[][] = [];
  const add = (kind: Kind, spec: Spec) => rows.push({ kind, cells: cells(spec) });
  for (let c = 0; c < cycles; c++) {
    const m = (k: string) => `M-${c}-${k}`;
    const note = (kind: Kind, k = '') => `${kind} ${c}${k}`;
    add('ok', { ref: m('ok'), notes: note('ok') });
    add('ok', { ref: m('ok2'), notes: note('ok', 'b') });
    add('multi', { ref: m('multi'), notes: note('multi', 'a') });
    add('multi', { ref: m('multi'), notes: note('multi', 'b'), subject: 'Callback' });
    add('partnership', { ref: m('p'), utr: PARTNERSHIP, notes: note('partnership') });
    add('refless', { notes: note('refless') });
    add('twin', { notes: note('twin') });
    const earlierRow = (k: string) => cells({ ref: `E-${c}-${k}`, notes: `earlier ${c} ${k}` });
    for (const k of ['same', 'refused', 'conflict']) earlier.push(earlierRow(k));
    rows.push({ kind: 'earlier-same', cells: earlierRow('same') });
    add('earlier-refused', { ref: `E-${c}-refused`, notes: `earlier ${c} refused`, channel: BAD_CHANNEL });
    add('earlier-conflict', { ref: `E-${c}-conflict`, notes: `earlier ${c} conflict, told otherwise` });
    add('fix-channel', { ref: m('fc'), channel: BAD_CHANNEL, notes: note('fix-channel') });
    add('fix-subject', { ref: m('fs'), notes: note('fix-subject', 'a') });
    add('fix-subject', { ref: m('fs'), notes: note('fix-subject', 'b'), subject: BAD_SUBJECT });
    add('fix-both', { ref: m('fb'), channel: BAD_CHANNEL, pid: UNKNOWN_PID, notes: note('fix-both') });
    add('fix-refless', { date: BAD_DATE, notes: note('fix-refless') });
    add('never', { ref: m('never'), utr: '1234567890', notes: note('never') });
    if (c % 4 === 0) rows.push({ kind: 'empty', cells: HEADER.map(() => '') });
    // Later in the file, apart from their first occurrence.
    later.push({ kind: 'repeat', cells: cells({ ref: m('ok'), notes: note('ok') }) });
    later.push({ kind: 'reused', cells: cells({ ref: m('ok2'), notes: note('reused') }) });
    later.push({ kind: 'twin', cells: cells({ notes: note('twin') }) });
  }
  return { rows: [...rows, ...later], earlier };
}

const csv = (records: string[][]) => stringify(records, { record_delimiter: '\n' });
const readRecords = (path: string): string[][] => parse(readFileSync(path), { bom: true });
const readOutcomes = (path: string): OutcomeLine[] => parse(readFileSync(path), { bom: true, columns: true });

/** A rejects file corrected as a team would, cell by cell: `fix` returns the row's new cells by column name. */
function correct(from: string, to: string, fix: (row: Record<string, string>) => Record<string, string>): void {
  const [header, ...body] = readRecords(from);
  const fixed = body.map((r) => {
    const row = Object.fromEntries(header!.map((h, i) => [h, r[i] ?? '']));
    const out = fix(row);
    return header!.map((h) => out[h] ?? '');
  });
  writeFileSync(to, csv([header!, ...fixed]));
}

describe.each(DRIVERS)('reconciliation on %s', (driver) => {
  let target: Target;
  let cwd: string;
  const cli = (args: string[]) => runCli(args, target.env, { cwd });

  beforeAll(async () => {
    ({ target, cwd } = await fixtureStore(driver, 'reconcile'));
  });
  afterAll(() => target?.dispose());

  it('three rounds with fixes: the outcome files joined to the export account for every input line exactly once', async () => {
    const { rows, earlier } = generate(120);
    writeFileSync(join(cwd, 'earlier.csv'), csv([HEADER, ...earlier]));
    writeFileSync(join(cwd, 'log.csv'), csv([HEADER, ...rows.map((r) => r.cells)]));
    expect(rows.length).toBeGreaterThan(2000);
    expect((await cli(['--json', 'import', 'earlier.csv'])).json).toMatchObject({ rowsAccepted: earlier.length });

    // Round 1: the log as it came.
    const round1 = (await cli(['--json', 'import', 'log.csv', '--outcomes', 'o1.csv', '--rejects', 'r1.csv'])).json;
    // Round 2: channels, subjects and dates corrected; a ref used for other content given a new one.
    correct(join(cwd, 'r1.csv'), join(cwd, 'r1-fixed.csv'), (r) => ({
      ...r,
      channel: r.channel === BAD_CHANNEL ? 'email' : r.channel!,
      subject: r.subject === BAD_SUBJECT ? 'Letter' : r.subject!,
      enquiry_date: r.enquiry_date === BAD_DATE ? '2020-02-20' : r.enquiry_date!,
      contact_ref: /^(earlier \d+ conflict|reused )/.test(r.general_notes!) ? `${r.contact_ref}-new` : r.contact_ref!,
    }));
    const round2 = (await cli(['--json', 'import', 'r1-fixed.csv', '--outcomes', 'o2.csv', '--rejects', 'r2.csv']))
      .json;
    // Round 3: the operator looked up.
    correct(join(cwd, 'r2.csv'), join(cwd, 'r2-fixed.csv'), (r) => ({
      ...r,
      operator_pid: r.operator_pid === UNKNOWN_PID ? '1234567' : r.operator_pid!,
    }));
    const round3 = (await cli(['--json', 'import', 'r2-fixed.csv', '--outcomes', 'o3.csv', '--rejects', 'r3.csv']))
      .json;
    for (const r of [round1, round2, round3])
      expect(r.rowsAccepted + r.rowsDuplicate + r.rowsSuperseded + r.rowsRejected).toBe(r.rowsRead);
    const count = (kind: Kind) => rows.filter((r) => r.kind === kind).length;
    expect(round1).toMatchObject({
      rowsSuperseded: count('earlier-refused'),
      rowsDuplicate: count('repeat') + count('earlier-same'),
      rowsEmpty: count('empty'),
    });
    expect(round3).toMatchObject({ rowsRejected: count('never'), rowsAccepted: count('fix-both') });

    // Every line of the log once in round 1's outcomes; each row rejected there once in round 2's, by its line in the log; and so on.
    const rounds = ['o1.csv', 'o2.csv', 'o3.csv'].map((f) => readOutcomes(join(cwd, f)));
    const keyOf = (o: OutcomeLine) => Number(o.reject_source_line || o.line);
    const final = new Map<number, OutcomeLine>();
    let pending = new Set(rows.map((_, i) => i + 2));
    for (const [n, outcomes] of rounds.entries()) {
      const lines = outcomes.map(keyOf);
      expect(new Set(lines).size).toBe(lines.length);
      expect(lines.sort((a, b) => a - b)).toEqual([...pending].sort((a, b) => a - b));
      if (n > 0) expect(outcomes.every((o) => o.reject_source_line !== '')).toBe(true);
      pending = new Set();
      for (const o of outcomes) {
        final.set(keyOf(o), o);
        if (o.outcome === 'rejected') pending.add(keyOf(o));
      }
    }
    expect(final.size).toBe(rows.length);
    rows.forEach((r, i) => expect([r.kind, final.get(i + 2)!.outcome]).toEqual([r.kind, FINAL[r.kind]]));

    // Joined to the export: each enquiry the three rounds stored is the outcome of exactly one accepted row,
    // and what a duplicate or superseded row names is stored under the key it gives.
    expect((await cli(['export', '--out', join(cwd, 'export.csv')])).code).toBe(0);
    const [header, ...exported] = readRecords(join(cwd, 'export.csv'));
    const column = (name: string) => header!.indexOf(name);
    const enquiries = new Map<string, { key: string; run: string; count: number }>();
    for (const e of exported) {
      const seq = e[column('seq')]!;
      const known = enquiries.get(seq);
      enquiries.set(seq, {
        key: e[column('source_key')]!,
        run: e[column('import_run_id')]!,
        count: (known?.count ?? 0) + 1,
      });
    }
    const named = new Map<string, number>();
    for (const o of rounds.flat()) {
      const seqs = o.seq === '' ? [] : o.seq.split(';');
      const keys = o.source_key === '' ? [] : o.source_key.split(';');
      expect(keys).toHaveLength(seqs.length);
      expect(seqs.length > 0).toBe(['accepted', 'duplicate', 'superseded'].includes(o.outcome));
      seqs.forEach((seq, k) => expect(enquiries.get(seq)?.key).toBe(keys[k]));
      if (o.outcome === 'accepted') for (const seq of seqs) named.set(seq, (named.get(seq) ?? 0) + 1);
    }
    const runs = new Set([round1, round2, round3].map((r) => String(r.importRun)));
    const storedByRounds = [...enquiries].filter(([, e]) => runs.has(e.run));
    expect(named.size).toBe(storedByRounds.length);
    for (const [seq, e] of storedByRounds) expect([seq, named.get(seq)]).toEqual([seq, e.count]);

    // The log imported again once all is fixed: rows fixed and stored under their own ref are superseded, not rejected again.
    const again = (await cli(['--json', 'import', 'log.csv', '--rejects', 'again.csv'])).json;
    expect(again).toMatchObject({
      rowsAccepted: 0,
      rowsSuperseded: count('earlier-refused') + count('fix-channel') + count('fix-subject') + count('fix-both'),
      rowsRejected: count('earlier-conflict') + count('reused') + count('fix-refless') + count('never'),
    });
    // Seven imports and an export: about 25 s on a quiet machine, four times that on a loaded one.
  }, 300_000);
});
