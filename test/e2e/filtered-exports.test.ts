/**
 * A filtered export holds exactly the entries of the full export that match
 * its filter, byte for byte, for every filter, in both formats, on both
 * drivers (a --utr export on a server was once empty: its value was cut to
 * one character on the way to the COPY).
 */

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCli } from '../support/cli.js';
import { DRIVERS, type Target, fixtureTarget } from '../support/targets.js';

interface Filter {
  name: string;
  args: string[];
  matches(utr: string, partnershipUtr: string | null, date: string): boolean;
}

const PLAIN = '1955839661';
/** A partner of the partnership 2108834503, with contacts of its own and the partnership's. */
const PARTNER = '1097172564';
const PARTNERSHIP = '2108834503';

const FILTERS: Filter[] = [
  { name: '--utr of a plain record', args: ['--utr', PLAIN], matches: (u, p) => u === PLAIN || p === PLAIN },
  { name: '--utr of a partner', args: ['--utr', PARTNER], matches: (u, p) => u === PARTNER || p === PARTNER },
  { name: '--utr of a partnership', args: ['--utr', PARTNERSHIP], matches: (u, p) => u === PARTNERSHIP || p === PARTNERSHIP },
  { name: '--from', args: ['--from', '2020-01-01'], matches: (_u, _p, d) => d >= '2020-01-01' },
  { name: '--to', args: ['--to', '2019-12-31'], matches: (_u, _p, d) => d <= '2019-12-31' },
  { name: '--from and --to', args: ['--from', '2019-06-01', '--to', '2021-06-30'], matches: (_u, _p, d) => d >= '2019-06-01' && d <= '2021-06-30' },
];

/** A CSV's header and each record's text as written, with the columns the filters read. */
function csvRecords(text: string) {
  const records = parse(text, { raw: true, columns: true }) as { record: Record<string, string>; raw: string }[];
  return records.map((r) => ({ raw: r.raw, utr: r.record.utr!, partnership: r.record.partnership_utr || null, date: r.record.enquiry_date! }));
}

describe.each(DRIVERS)('filtered exports on %s', (driver) => {
  let target: Target;
  let cwd: string;
  const cli = (args: string[]) => runCli(args, target.env, { cwd });
  let fullJsonl: string[];
  let fullCsv: ReturnType<typeof csvRecords>;

  beforeAll(async () => {
    target = await fixtureTarget(driver);
    cwd = mkdtempSync(join(tmpdir(), 'cis-contact-filtered-'));
    await cli(['import', join(FIXTURES, 'contacts.csv'), '--rejects', '/dev/null']);
    expect((await cli(['export', '--format', 'jsonl', '--out', 'full.jsonl'])).code).toBe(0);
    expect((await cli(['export', '--format', 'csv', '--out', 'full.csv'])).code).toBe(0);
    fullJsonl = readFileSync(join(cwd, 'full.jsonl'), 'utf8').trimEnd().split('\n').slice(0, -1);
    fullCsv = csvRecords(readFileSync(join(cwd, 'full.csv'), 'utf8'));
    // Every filter below must be able to fail: each keeps some entries of the full export and leaves some out.
    for (const f of FILTERS) {
      const kept = fullJsonl.filter((l) => { const e = JSON.parse(l); return f.matches(e.utr, e.partnershipUtr, e.enquiryDate); });
      expect(kept.length, f.name).toBeGreaterThan(0);
      expect(kept.length, f.name).toBeLessThan(fullJsonl.length);
    }
  });
  afterAll(() => target?.dispose());

  it.each(FILTERS)('JSON Lines, $name: the full export\'s matching lines, byte for byte', async (f) => {
    const r = await cli(['--json', 'export', '--format', 'jsonl', ...f.args, '--out', 'part.jsonl', '--force']);
    expect(r.code, r.stderr).toBe(0);
    const lines = readFileSync(join(cwd, 'part.jsonl'), 'utf8').trimEnd().split('\n');
    const manifest = JSON.parse(lines.pop()!).manifest;
    const expected = fullJsonl.filter((l) => { const e = JSON.parse(l); return f.matches(e.utr, e.partnershipUtr, e.enquiryDate); });
    expect(lines).toEqual(expected);
    expect(manifest).toMatchObject({ count: expected.length, filtered: true });
  });

  it.each(FILTERS)('CSV, $name: the full export\'s matching rows, byte for byte', async (f) => {
    const r = await cli(['export', '--format', 'csv', ...f.args, '--out', 'part.csv', '--force']);
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(join(cwd, 'part.csv'), 'utf8');
    const full = readFileSync(join(cwd, 'full.csv'), 'utf8');
    expect(text.slice(0, text.indexOf('\n'))).toBe(full.slice(0, full.indexOf('\n')));
    const expected = fullCsv.filter((c) => f.matches(c.utr, c.partnership, c.date)).map((c) => c.raw);
    expect(expected.length).toBeGreaterThan(0);
    expect(csvRecords(text).map((c) => c.raw)).toEqual(expected);
  });
});
