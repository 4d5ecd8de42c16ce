/**
 * A filtered export holds exactly the entries of the full export that match
 * its filter, byte for byte, for every filter, in both formats, on both
 * drivers (a --utr export on a server was once empty: its value was cut to
 * one character on the way to the COPY). Its manifest names the filter, and
 * verify shows it complete against its store; one with a contact cut out, as
 * someone handing it over could cut it, is named incomplete against the
 * store, and without the store is never called intact.
 */

import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, FIXTURES, runCli } from '../support/cli.js';
import { DRIVERS, type Target, createTarget, fixtureTarget } from '../support/targets.js';
import { scratchFolder } from '../support/scratch.js';

interface Filter {
  name: string;
  args: string[];
  /** What its manifest names. */
  named: Partial<Record<keyof typeof NO_FILTER, string>>;
  matches(utr: string, partnershipUtr: string | null, date: string): boolean;
}

const PLAIN = '1955839661';
/** A partner of the partnership 2108834503, with contacts of its own and the partnership's. */
const PARTNER = '1097172564';
const PARTNERSHIP = '2108834503';
/** What a manifest names of the filters not given. */
const NO_FILTER = { utr: null, from: null, to: null };

const FILTERS: Filter[] = [
  {
    name: '--utr of a plain record',
    args: ['--utr', PLAIN],
    named: { utr: PLAIN },
    matches: (u, p) => u === PLAIN || p === PLAIN,
  },
  {
    name: '--utr of a partner',
    args: ['--utr', PARTNER],
    named: { utr: PARTNER },
    matches: (u, p) => u === PARTNER || p === PARTNER,
  },
  {
    name: '--utr of a partnership',
    args: ['--utr', PARTNERSHIP],
    named: { utr: PARTNERSHIP },
    matches: (u, p) => u === PARTNERSHIP || p === PARTNERSHIP,
  },
  {
    name: '--from',
    args: ['--from', '2020-01-01'],
    named: { from: '2020-01-01' },
    matches: (_u, _p, d) => d >= '2020-01-01',
  },
  {
    name: '--to',
    args: ['--to', '2019-12-31'],
    named: { to: '2019-12-31' },
    matches: (_u, _p, d) => d <= '2019-12-31',
  },
  {
    name: '--from and --to',
    args: ['--from', '2019-06-01', '--to', '2021-06-30'],
    named: { from: '2019-06-01', to: '2021-06-30' },
    matches: (_u, _p, d) => d >= '2019-06-01' && d <= '2021-06-30',
  },
];

/** A CSV's header and each record's text as written, with the columns the filters read. */
function csvRecords(text: string) {
  const records = parse<{ record: Record<string, string>; raw: string }>(text, { raw: true, columns: true });
  return records.map((r) => ({
    raw: r.raw,
    utr: r.record.utr!,
    partnership: r.record.partnership_utr || null,
    date: r.record.enquiry_date!,
  }));
}

describe.each(DRIVERS)('filtered exports on %s', (driver) => {
  let target: Target;
  let cwd: string;
  const cli = (args: string[]) => runCli(args, target.env, { cwd });
  let fullJsonl: string[];
  let fullCsv: ReturnType<typeof csvRecords>;
  /**
   * Each filter's export in each format, made once, by the first test that
   * needs it, into a file of its own that no test changes: the byte-for-byte
   * test and the cut test of a filter and format read the same export.
   */
  const exports = new Map<string, Promise<{ file: string; result: CliResult }>>();
  const exported = (f: Filter, format: 'jsonl' | 'csv') => {
    // The cases below are copies of a filter (the cut cases add their format): the filter is known by its name.
    const file = `part-${FILTERS.findIndex((g) => g.name === f.name)}.${format}`;
    if (!exports.has(file))
      exports.set(
        file,
        cli([...(format === 'jsonl' ? ['--json'] : []), 'export', '--format', format, ...f.args, '--out', file]).then(
          (result) => ({ file, result }),
        ),
      );
    return exports.get(file)!;
  };

  beforeAll(async () => {
    target = await fixtureTarget(driver);
    cwd = scratchFolder('cis-contact-filtered-');
    await cli(['import', join(FIXTURES, 'contacts.csv'), '--rejects', '/dev/null']);
    expect((await cli(['export', '--format', 'jsonl', '--out', 'full.jsonl'])).code).toBe(0);
    expect((await cli(['export', '--format', 'csv', '--out', 'full.csv'])).code).toBe(0);
    fullJsonl = readFileSync(join(cwd, 'full.jsonl'), 'utf8').trimEnd().split('\n').slice(0, -1);
    fullCsv = csvRecords(readFileSync(join(cwd, 'full.csv'), 'utf8'));
    // Every filter below must be able to fail: each keeps some entries of the full export and leaves some out.
    for (const f of FILTERS) {
      const kept = fullJsonl.filter((l) => {
        const e = JSON.parse(l);
        return f.matches(e.utr, e.partnershipUtr, e.enquiryDate);
      });
      expect(kept.length, f.name).toBeGreaterThan(0);
      expect(kept.length, f.name).toBeLessThan(fullJsonl.length);
    }
  });
  afterAll(() => target?.dispose());

  it.each(FILTERS)("JSON Lines, $name: the full export's matching lines, byte for byte", async (f) => {
    const { file, result: r } = await exported(f, 'jsonl');
    expect(r.code, r.stderr).toBe(0);
    const lines = readFileSync(join(cwd, file), 'utf8').trimEnd().split('\n');
    const manifest = JSON.parse(lines.pop()!).manifest;
    const expected = fullJsonl.filter((l) => {
      const e = JSON.parse(l);
      return f.matches(e.utr, e.partnershipUtr, e.enquiryDate);
    });
    expect(lines).toEqual(expected);
    expect(manifest).toMatchObject({
      count: expected.length,
      filtered: true,
      filter: { ...NO_FILTER, ...f.named, through: fullJsonl.length },
    });
    const verified = await cli(['--json', 'verify', '--export', file]);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.json).toMatchObject({
      intact: true,
      complete: true,
      completeness: expect.stringContaining(`up to entry ${fullJsonl.length}`),
    });
  });

  it.each(FILTERS)("CSV, $name: the full export's matching rows, byte for byte", async (f) => {
    const { file, result: r } = await exported(f, 'csv');
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(join(cwd, file), 'utf8');
    const full = readFileSync(join(cwd, 'full.csv'), 'utf8');
    expect(text.slice(0, text.indexOf('\n'))).toBe(full.slice(0, full.indexOf('\n')));
    const expected = fullCsv.filter((c) => f.matches(c.utr, c.partnership, c.date)).map((c) => c.raw);
    expect(expected.length).toBeGreaterThan(0);
    expect(csvRecords(text).map((c) => c.raw)).toEqual(expected);
    const verified = await cli(['verify', '--export', file]);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/^Intact and complete: /);
  });

  it.each(FILTERS.flatMap((f) => (['jsonl', 'csv'] as const).map((format) => ({ ...f, format }))))(
    '$format, $name, one contact cut and its manifest made to agree: incomplete against the store, naming it; never "Intact" without the store',
    async (f) => {
      const file = `cut-${f.format}`;
      const whole = await exported(f, f.format);
      expect(whole.result.code, whole.result.stderr).toBe(0);
      const cut = cutOneContact(cwd, whole.file, f.format, file);
      // One run a case: --json for JSON Lines, what a person reads for CSV.
      const r = await cli([...(f.format === 'jsonl' ? ['--json'] : []), 'verify', '--export', file]);
      expect(r.code, r.stderr).toBe(1);
      const reason = `entry ${cut.seq} (source key ${cut.sourceKey}) is one the store holds for this export's filter (${f.args.join(' ')}), but the export does not hold it`;
      if (f.format === 'jsonl') {
        expect(r.json).toMatchObject({ intact: false, complete: false });
        expect(r.json.failures).toEqual([{ ...cut, kind: 'missing', reason }]);
      } else {
        expect(r.stdout).toBe(
          `NOT intact: 1 problem in ${file} (checked ${r.stdout.match(/checked (\d+ entr(y|ies))/)![1]}):\n  entry ${cut.seq} [missing, recorded by ${cut.recordedBy}]: ${reason}\n`,
        );
      }

      // Without the store the cut cannot show: the entries check out, and verify says what it cannot show.
      const offline = { CIS_CONTACT_DATA_DIR: scratchFolder('cis-contact-no-store-'), DATABASE_URL: '' };
      const alone = await runCli(['--json', 'verify', '--export', file], offline, { cwd });
      expect(alone.code, alone.stderr).toBe(0);
      expect(alone.json).toMatchObject({
        intact: true,
        complete: null,
        completeness: expect.stringContaining('there is no cis-contact store at'),
      });
      const aloneHuman = await runCli(['verify', '--export', file], offline, { cwd });
      expect(aloneHuman.stdout).toMatch(/^Entries authentic; completeness cannot be shown without the store: /);
      expect(aloneHuman.stdout).not.toMatch(/^Intact/m);
      // Nothing was made where there was no store.
      expect(readdirSync(offline.CIS_CONTACT_DATA_DIR)).toEqual([]);
    },
  );

  it('a manifest from before manifests named their filter still verifies, as not shown complete; another store is refused as such', async () => {
    // The --from filter's JSON Lines export, its manifest as an earlier version wrote it.
    const from = await exported(FILTERS[3]!, 'jsonl');
    expect(FILTERS[3]!.args).toEqual(['--from', '2020-01-01']);
    expect(from.result.code, from.result.stderr).toBe(0);
    const lines = readFileSync(join(cwd, from.file), 'utf8').trimEnd().split('\n');
    const { manifest } = JSON.parse(lines.pop()!);
    delete manifest.filter;
    writeFileSync(join(cwd, 'old.jsonl'), `${[...lines, JSON.stringify({ manifest })].join('\n')}\n`);
    const old = await cli(['verify', '--export', 'old.jsonl']);
    expect(old.code, old.stderr).toBe(0);
    expect(old.stdout).toMatch(
      /^Entries authentic; completeness cannot be shown: .*\n {2}Not shown complete: its manifest does not name the filter that made it/,
    );

    const other = await createTarget(driver);
    try {
      const refused = await runCli(['verify', '--export', from.file], other.env, { cwd });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(
        new RegExp(
          `the export ${from.file.replace('.', '\\.')} is of another store, so this store cannot show whether it is complete.*\\[export-other-store\\]`,
          's',
        ),
      );
    } finally {
      await other.dispose();
    }
  });
});

/**
 * Cuts one contact (the middle one) from a filtered export and makes its
 * manifest agree, as someone handing the file over could: the entries left
 * still check out, each against its own hash. Returns the contact cut.
 */
function cutOneContact(cwd: string, whole: string, format: 'jsonl' | 'csv', out: string) {
  const text = readFileSync(join(cwd, whole), 'utf8');
  const jsonl = format === 'jsonl';
  type Row = { raw: string; seq: number; hash: string; sourceKey: string; recordedBy: string };
  let rows: Row[];
  let manifest;
  let header = '';
  if (jsonl) {
    const lines = text.trimEnd().split('\n');
    manifest = JSON.parse(lines.pop()!).manifest;
    rows = lines.map((l) => {
      const e = JSON.parse(l);
      return { raw: `${l}\n`, seq: e.seq, hash: e.hash, sourceKey: e.sourceKey, recordedBy: e.recordedBy };
    });
  } else {
    manifest = JSON.parse(readFileSync(join(cwd, `${whole}.manifest.json`), 'utf8')).manifest;
    header = text.slice(0, text.indexOf('\n') + 1);
    // A record is one enquiry; its raw text keeps any line break a cell holds.
    const records = parse<Record<string, string>>(text, { bom: true, raw: true, columns: true }) as unknown as {
      record: Record<string, string>;
      raw: string;
    }[];
    rows = records.map(({ record: r, raw }) => ({
      raw,
      seq: Number(r.seq),
      hash: r.hash!,
      sourceKey: r.source_key!,
      recordedBy: r.recorded_by!,
    }));
  }
  const seqs = [...new Set(rows.map((r) => r.seq))];
  const cutSeq = seqs[Math.floor(seqs.length / 2)]!;
  const { raw: _raw, hash: _hash, ...cut } = rows.find((r) => r.seq === cutSeq)!;
  const left = rows.filter((r) => r.seq !== cutSeq);
  Object.assign(manifest, {
    count: manifest.count - 1,
    firstSeq: left[0]?.seq ?? null,
    lastSeq: left.at(-1)?.seq ?? null,
    headHash: left.at(-1)?.hash ?? null,
  });
  const line = `${JSON.stringify({ manifest })}\n`;
  const body = header + left.map((r) => r.raw).join('');
  writeFileSync(join(cwd, out), jsonl ? body + line : body);
  if (!jsonl) writeFileSync(join(cwd, `${out}.manifest.json`), line);
  return cut;
}
