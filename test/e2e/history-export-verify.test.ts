import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CliResult, FIXTURES, binaryCommand, runCli } from '../support/cli.js';
import { DRIVERS, type Target, copyOf, fixtureTarget } from '../support/targets.js';
import { threeMonthsBefore } from '../../src/domain/dates.js';
import { EXPORT_CSV_COLUMNS } from '../../src/outputs/export-format.js';
import { scratchFolder } from '../support/scratch.js';

const TODAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date());

describe('three months back', () => {
  it('clamps to the end of a shorter month', () => {
    expect(threeMonthsBefore('2026-05-31')).toBe('2026-02-28');
    expect(threeMonthsBefore('2026-02-15')).toBe('2025-11-15');
  });
});

/** The command's result as a terminal of `columns` shows it: run under `script`, its width set by `stty`. */
function onTerminal(args: string[], columns: number, env: Record<string, string>, cwd: string): string {
  const command = binaryCommand(args)
    .flat()
    .map((a) => `'${a}'`)
    .join(' ');
  const shown = spawnSync('script', ['-qec', `stty cols ${columns} rows 50; exec ${command}`, '/dev/null'], {
    cwd,
    env: { ...process.env, ...env, NO_COLOR: '1' },
    encoding: 'utf8',
  });
  expect(shown.status, shown.stdout).toBe(0);
  return shown.stdout.replace(/\r\n/g, '\n');
}

/** The Python block of docs/audit.md that holds `marker`. */
function pythonRecipe(marker: string): string {
  const blocks = [
    ...readFileSync(new URL('../../docs/audit.md', import.meta.url), 'utf8').matchAll(/```python\n([\s\S]*?)```/g),
  ].map((m) => m[1]!);
  const found = blocks.filter((b) => b.includes(marker));
  expect(found, marker).toHaveLength(1);
  return found[0]!;
}

describe.each(DRIVERS)('history, export and verify on %s', (driver) => {
  let target: Target;
  let cwd: string;
  const cli = (args: string[]) => runCli(args, target.env, { cwd });
  const record = (extra: string[], name = 'Jo Bloggs') =>
    cli([
      '--json',
      'record',
      '--utr',
      '1955839661',
      '--operator',
      '1234567',
      '--contact-type',
      'agent',
      '--contact-name',
      name,
      '--channel',
      'email',
      '--auth',
      'waived',
      ...extra,
    ]);

  // The sample log and two recent contacts, stored once; each test works on a copy of its own, in a folder of its own.
  let prepared: Target;
  beforeAll(async () => {
    target = prepared = await fixtureTarget(driver);
    cwd = scratchFolder('cis-contact-history-');
    await cli(['import', join(FIXTURES, 'contacts.csv'), '--rejects', '/dev/null']);
    await record(['--subject', 'Complaint', '--action', 'Logged a complaint', '--notes', 'Recent one']);
    await record(['--subject', 'Letter', '--action', '=HYPERLINK("http://x")'], '@risky');
  });
  afterAll(() => prepared?.dispose());
  beforeEach(async () => {
    target = await copyOf(prepared);
    cwd = scratchFolder('cis-contact-history-');
  });
  afterEach(() => target?.dispose());

  /**
   * The whole history exported, as JSON Lines (all.jsonl) or CSV (all.csv and its manifest): made once a format,
   * from the prepared store each test's copy holds, by the first test that needs it, and put in the test's folder.
   * Export only reads: the tests of what it writes and the tests that tamper with it read the same export.
   */
  const wholeExports = new Map<'jsonl' | 'csv', Promise<CliResult>>();
  let exportsFolder: string | undefined;
  const exported = async (format: 'jsonl' | 'csv'): Promise<CliResult> => {
    const file = `all.${format}`;
    if (!wholeExports.has(format)) {
      exportsFolder ??= scratchFolder('cis-contact-history-exports-');
      const args = format === 'jsonl' ? ['--json', 'export', '--format', 'jsonl'] : ['export'];
      wholeExports.set(format, runCli([...args, '--out', file], prepared.env, { cwd: exportsFolder }));
    }
    const result = await wholeExports.get(format)!;
    if (result.code === 0)
      for (const name of format === 'jsonl' ? [file] : [file, `${file}.manifest.json`])
        copyFileSync(join(exportsFolder!, name), join(cwd, name));
    return result;
  };

  it('history shows the last three months by default, newest first; --all shows every date', async () => {
    const recent = await cli(['--json', 'history', '1955839661']);
    expect(recent.code).toBe(0);
    expect(recent.json.map((c: { enquiryDate: string }) => c.enquiryDate)).toEqual([TODAY, TODAY]);
    expect(recent.json[0].id).toBeGreaterThan(recent.json[1].id);
    const all = await cli(['--json', 'history', '1955839661', '--all']);
    expect(all.json.map((c: { enquiryDate: string }) => c.enquiryDate)).toEqual([TODAY, TODAY, '2019-03-14']);
    expect(all.json[2]).toMatchObject({
      sourceKey: 'LEG-0001',
      operatorPid: '1234567',
      enquiries: [
        { position: 1, subject: 'Callback', actionTaken: 'Explained the monthly return' },
        { position: 2, subject: 'Other', actionTaken: 'Sent a copy of the deduction statement' },
      ],
    });
    const complaints = await cli(['--json', 'history', '1955839661', '--all', '--subject', 'complaint']);
    expect(complaints.json).toHaveLength(1);
    const ranged = await cli(['--json', 'history', '1955839661', '--from', '01/01/2019', '--to', '2019-12-31']);
    expect(ranged.json).toHaveLength(1);
    const human = await cli(['history', '1955839661', '--all']);
    expect(human.stdout).toMatch(
      /Date\s+Recorded\s+Contact\s+Channel\s+Dir\s+Type\s+Name\s+Auth\s+PID\s+Login\s+Via partnership\s+Ref\s+No\s+Subject\s+Action taken\s+Notes/,
    );
    expect(human.stdout).toContain('Explained the monthly return');
    expect(human.stderr).toBe('');
  });

  it('history into a file or a pipe prints each enquiry on one line, unwrapped, a backslash doubled so a line break is unambiguous', async () => {
    const action = `Rang back about the statement ${'and the deductions shown on it '.repeat(2)}`.trim();
    const notes = `Rang back about the statement: ${'she will send the missing monthly returns by the end of the week, '.repeat(5)}\nthen call again, C:\\new\\file`;
    const stored = await cli([
      'record',
      '--utr',
      '2234567890',
      '--operator',
      '2345678',
      '--channel',
      'internal-enquiry',
      '--date',
      '2020-02-02',
      '--subject',
      'Callback',
      '--action',
      action,
      '--notes',
      notes,
      '--subject',
      'Letter',
      '--action',
      'Sent the statement again',
    ]);
    expect(stored.code, stored.stderr).toBe(0);
    const json = (await cli(['--json', 'history', '2234567890', '--all'])).json;
    const enquiries = json.flatMap((c: { enquiries: unknown[] }) => c.enquiries).length;
    const piped = await cli(['history', '2234567890', '--all']);
    expect(piped.code).toBe(0);
    const lines = piped.stdout.trimEnd().split('\n');
    // A title, the column heads, then one line an enquiry.
    expect(lines).toHaveLength(2 + enquiries);
    const found = lines.filter((l) => l.includes('Rang back about the statement'));
    expect(found).toHaveLength(1);
    const seq = json.find((c: { enquiryDate: string }) => c.enquiryDate === '2020-02-02').seq;
    expect(found[0]).toMatch(
      new RegExp(
        `^2020-02-02  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d (GMT|BST) +${seq} +internal-enquiry +Outbound +2345678 +\\S+ +1 +Callback +`,
      ),
    );
    // The real line break as \n; each typed backslash doubled, so `C:\new` cannot be read as a line break.
    expect(found[0]).toContain('by the end of the week, \\nthen call again, C:\\\\new\\\\file');
    expect(found[0]!.endsWith(`${action}  ${notes.split('\n')[0]}\\nthen call again, C:\\\\new\\\\file`)).toBe(true);
  });

  it('history on a terminal is one block a contact, every line within the width, at 120, 80 and 40 columns', async () => {
    await cli([
      'record',
      '--utr',
      '2108834503',
      '--operator',
      '1234567',
      '--contact-type',
      'agent',
      '--contact-name',
      'Marguerite Featherstonehaugh',
      '--channel',
      'phone-inbound',
      '--auth',
      'authenticated',
      '--date',
      '2021-06-01',
      '--ref',
      'WIDTH-1',
      '--subject',
      'Letter',
      '--action',
      'Sent the statement of deductions for the whole of the last tax year',
      '--subject',
      'Callback',
      '--notes',
      `Promised a call back ${'about the missing monthly returns '.repeat(4)}`,
    ]);
    // On a real terminal (through `script`) at the narrowest width; the wider ones in process, with standard output
    // a terminal as Node's stream for one says, which must show exactly what the real one does.
    const real = onTerminal(['history', '1083016613', '--all'], 40, target.env, cwd);
    const inProcess = async (args: string[], columns: number) => {
      const r = await runCli(args, target.env, { cwd, terminal: { columns } });
      expect(r.code, r.stderr).toBe(0);
      return r.stdout;
    };
    expect(await inProcess(['history', '1083016613', '--all'], 40)).toBe(real);
    for (const columns of [120, 80, 40]) {
      const shown = columns === 40 ? real : await inProcess(['history', '1083016613', '--all'], columns);
      const lines = shown.split('\n').filter((l) => l !== '');
      expect(Math.max(...lines.map((l) => l.length)), shown).toBeLessThanOrEqual(columns);
      const block = shown.slice(shown.search(/Contact \d+ · 2021-06-01/));
      expect(block).toMatch(/^Contact \d+ · 2021-06-01 · phone-inbound,\s+Inbound/);
      // The contact's fields and both enquiries together under it, each word as stored.
      const words = block.replace(/\s+/g, ' ');
      expect(words).toContain('Spoken to: Marguerite Featherstonehaugh (agent), authenticated');
      expect(words).toMatch(/Recorded: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d (GMT|BST) by operator 1234567 \(login \S+\)/);
      expect(words).toContain('Via partnership Partridge & Sons (2108834503)');
      expect(words).toContain('Ref: WIDTH-1/1083016613');
      expect(words).toMatch(
        /1\. Letter Action: Sent the statement of deductions for the whole of the last tax year 2\. Callback Notes: Promised a call back about/,
      );
    }
    // A partner's own contact, not through a partnership, carries no mark.
    const own = await inProcess(['history', '1955839661', '--all'], 80);
    expect(own).not.toContain('Via partnership');
    expect(own).toContain('Spoken to: Jo Bloggs (agent), waived');
  });

  it('a partnership says its notes live on its partners, and lists them', async () => {
    const r = await cli(['history', '2108834503', '--all']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/is a partnership: it holds no contact notes/);
    expect(r.stdout).toContain('partners: 1083016613, 1097172564, 8526018159');
    const json = await cli(['--json', 'history', '2108834503', '--all']);
    expect(json.json.every((c: { partnershipUtr: string }) => c.partnershipUtr === '2108834503')).toBe(true);
  });

  it('a misspelt --subject is refused naming the subject it was probably meant to be, as record does', async () => {
    const misspelt = await cli(['history', '1955839661', '--subject', 'Callbak']);
    expect(misspelt.code).toBe(2);
    expect(misspelt.stdout).toBe('');
    expect(misspelt.stderr).toContain(
      '--subject Callbak: use Internal Referral, Letter, Callback, Complaint or Other; did you mean Callback?',
    );
    expect((await cli(['history', '1955839661', '--subject', 'internal'])).stderr).toContain(
      'did you mean Internal Referral?',
    );
    // Nothing close: the words to use, and no guess.
    const far = await cli(['history', '1955839661', '--subject', 'Payment']);
    expect(far.code).toBe(2);
    expect(far.stderr).toContain('--subject Payment: use Internal Referral, Letter, Callback, Complaint or Other\n');
    expect(far.stderr).not.toContain('did you mean');
  });

  it('a bad or unknown UTR is a clear error', async () => {
    expect((await cli(['history', '1234567890'])).stderr).toMatch(/\[utr-check-digit\]/);
    const unknown = await cli(['history', '1996030824']);
    expect(unknown.code).toBe(0);
    const missing = await cli(['history', '7555979711']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/not a CIS record in the registry \[unknown-record\]/);
  });

  it('exports JSON Lines raw with a manifest; verify --export passes', async () => {
    const r = await exported('jsonl');
    expect(r.code, r.stderr).toBe(0);
    const lines = readFileSync(join(cwd, 'all.jsonl'), 'utf8').trim().split('\n');
    const manifest = JSON.parse(lines[lines.length - 1]!).manifest;
    expect(manifest).toMatchObject({
      count: lines.length - 1,
      firstSeq: 1,
      lastSeq: lines.length - 1,
      filtered: false,
    });
    const risky = lines.map((l) => JSON.parse(l)).find((e) => e.contactName === '@risky');
    expect(risky.enquiries[0].actionTaken).toBe('=HYPERLINK("http://x")');
    expect(Object.keys(risky)).toEqual(
      expect.arrayContaining(['seq', 'sourceKey', 'operatorPid', 'recordedAt', 'importRunId', 'prevHash', 'hash']),
    );
    const ok = await cli(['--json', 'verify', '--export', 'all.jsonl']);
    expect(ok.code).toBe(0);
    expect(ok.json).toMatchObject({ intact: true, checked: lines.length - 1 });
  });

  it('exports CSV with runnable cells neutralised; verify --export restores them', async () => {
    const r = await exported('csv');
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(join(cwd, 'all.csv'), 'utf8');
    expect(text).toContain(`'@risky`);
    expect(text).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect((await cli(['verify', '--export', 'all.csv'])).code).toBe(0);
    // A formula with its guard taken away is live again in a spreadsheet: not the export as written.
    writeFileSync(join(cwd, 'unguarded.csv'), text.replace(`"'=HYPERLINK`, '"=HYPERLINK'));
    writeFileSync(join(cwd, 'unguarded.csv.manifest.json'), readFileSync(join(cwd, 'all.csv.manifest.json')));
    const unguarded = await cli(['verify', '--export', 'unguarded.csv']);
    expect(unguarded.code).toBe(1);
    expect(unguarded.stdout).toMatch(/NOT intact: 1 problem in unguarded\.csv/);
    expect(unguarded.stdout).toMatch(
      /entry \d+ \[altered, recorded by \w+\]: entry \d+, line \d+: the action_taken cell is not escaped as export writes it/,
    );
  });

  it('export --out replaces a file only when it is complete: a failed export leaves it as it was, and nothing beside it', async () => {
    const kept = join(cwd, 'kept.csv');
    writeFileSync(kept, 'what was there\n', { mode: 0o640 });
    const failed = await cli([
      'export',
      '--out',
      'kept.csv',
      '--force',
      '--manifest',
      join('no-such-folder', 'kept.manifest.json'),
    ]);
    expect(failed.code).toBe(2);
    expect(failed.stderr).toMatch(
      /cannot write no-such-folder\/kept\.manifest\.json: no such folder \[output-unwritable\]/,
    );
    expect(readFileSync(kept, 'utf8')).toBe('what was there\n');
    expect(readdirSync(cwd).filter((f) => f.endsWith('.partial'))).toEqual([]);
    const done = await cli(['export', '--out', 'kept.csv', '--force']);
    expect(done.code).toBe(0);
    expect(readFileSync(kept, 'utf8')).toMatch(/^\ufeffseq,source_key,/);
    // The file replaced is private, as every file the tool writes: sharing it is a chmod afterwards.
    expect(statSync(kept).mode & 0o777).toBe(0o600);
    expect((await cli(['verify', '--export', 'kept.csv'])).code).toBe(0);
    expect(readdirSync(cwd).filter((f) => f.endsWith('.partial'))).toEqual([]);
  });

  it('a CSV export on standard output needs --manifest, and then verifies', async () => {
    const bare = await cli(['export']);
    expect(bare.code).toBe(2);
    expect(bare.stdout).toBe('');
    expect(bare.stderr).toContain('needs --manifest FILE');
    const piped = await cli(['export', '--manifest', 'piped.manifest.json']);
    expect(piped.code).toBe(0);
    writeFileSync(join(cwd, 'piped.csv'), piped.stdout);
    expect(piped.stderr).toMatch(/Exported \d+ contacts to standard output; manifest in piped.manifest.json/);
    expect((await cli(['verify', '--export', 'piped.csv', '--manifest', 'piped.manifest.json'])).code).toBe(0);
    writeFileSync(join(cwd, 'notes.txt'), 'manifest: {"count": 3}\n');
    const wrong = await cli(['verify', '--export', 'piped.csv', '--manifest', 'notes.txt']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/cannot read notes\.txt: it is not a cis-contact export manifest/);
    writeFileSync(join(cwd, 'other.jsonl'), '{"name": "not an export"}\n');
    const other = await cli(['verify', '--export', 'other.jsonl']);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/line 1 is not an entry of a cis-contact export/);
  });

  it('the Python recipe in docs/audit.md passes a whole export and fails a cut one or one without its manifest', async () => {
    const recipe = pythonRecipe('hashlib');
    writeFileSync(join(cwd, 'verify.py'), recipe);
    expect((await exported('jsonl')).code).toBe(0);
    const lines = readFileSync(join(cwd, 'all.jsonl'), 'utf8').trimEnd().split('\n');
    writeFileSync(join(cwd, 'cut.jsonl'), `${lines.slice(0, -3).join('\n')}\n`);
    writeFileSync(join(cwd, 'no-manifest.jsonl'), `${lines.slice(0, -1).join('\n')}\n`);
    const python = (file: string) => spawnSync('python3', ['verify.py', file], { cwd, encoding: 'utf8' });
    const whole = python('all.jsonl');
    expect(whole.status, whole.stderr).toBe(0);
    expect(whole.stdout).toMatch(new RegExp(`^intact ${lines.length - 1} [0-9a-f]{64}`));
    for (const file of ['cut.jsonl', 'no-manifest.jsonl']) {
      const r = python(file);
      expect(r.status, file).not.toBe(0);
      expect(r.stderr).toMatch(/AssertionError: no manifest/);
    }
  });

  it('the pandas recipe in docs/audit.md reads every column of a CSV export as written: with the csv module always, and with pandas where it is installed', async () => {
    const recipe = pythonRecipe('pandas.read_csv');
    // What makes pandas read text as text, not numbers and NaN.
    expect(recipe).toMatch(
      /pandas\.read_csv\(sys\.argv\[1\], dtype=str, keep_default_na=False, encoding='utf-8-sig'\)/,
    );
    writeFileSync(join(cwd, 'read.py'), recipe);
    expect((await exported('csv')).code).toBe(0);
    expect((await exported('jsonl')).code).toBe(0);
    // Each enquiry of each stored entry, every value as the text a CSV cell holds.
    const camel = (column: string) => column.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());
    const text = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));
    const expected = readFileSync(join(cwd, 'all.jsonl'), 'utf8')
      .trimEnd()
      .split('\n')
      .slice(0, -1)
      .map((l) => JSON.parse(l))
      .flatMap((entry) =>
        entry.enquiries.map((enquiry: Record<string, unknown>) =>
          Object.fromEntries(
            EXPORT_CSV_COLUMNS.map((c) => [c, text(camel(c) in enquiry ? enquiry[camel(c)] : entry[camel(c)])]),
          ),
        ),
      );
    expect(
      expected.some((row: Record<string, string>) => row.contact_name === '@risky' && row.partnership_utr === ''),
    ).toBe(true);
    // The recipe's own as_written, on the cells the standard library reads: what pandas gives with dtype=str, keep_default_na=False.
    const standardLibrary = [
      'import ast, csv, json, sys',
      'recipe = ast.parse(open(sys.argv[1], encoding="utf-8").read())',
      'functions = {}',
      'exec(compile(ast.Module([n for n in recipe.body if isinstance(n, ast.FunctionDef)], []), "recipe", "exec"), functions)',
      'with open(sys.argv[2], newline="", encoding="utf-8-sig") as f:',
      '    print(json.dumps([{k: functions["as_written"](v) for k, v in row.items()} for row in csv.DictReader(f)]))',
    ].join('\n');
    const read = spawnSync('python3', ['-c', standardLibrary, 'read.py', 'all.csv'], { cwd, encoding: 'utf8' });
    expect(read.status, read.stderr).toBe(0);
    expect(JSON.parse(read.stdout)).toEqual(expected);
    // The recipe as written, where a python3 has pandas.
    const withPandas = ['python3', '/usr/bin/python3'].find(
      (python) => spawnSync(python, ['-c', 'import pandas'], { encoding: 'utf8' }).status === 0,
    );
    if (withPandas) {
      writeFileSync(join(cwd, 'read-pandas.py'), `${recipe}\nprint(entries.to_json(orient='records'))\n`);
      const run = spawnSync(withPandas, ['read-pandas.py', 'all.csv'], { cwd, encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual(expected);
    }
  });

  describe('tampered exports fail verify --export, naming the entry', () => {
    let lines: string[];
    // The whole history exported, as JSON Lines and as CSV, to tamper with.
    beforeEach(async () => {
      expect((await exported('jsonl')).code).toBe(0);
      expect((await exported('csv')).code).toBe(0);
      lines = readFileSync(join(cwd, 'all.jsonl'), 'utf8').trim().split('\n');
    });
    const check = async (name: string, changed: string[]) => {
      writeFileSync(join(cwd, name), `${changed.join('\n')}\n`);
      return cli(['--json', 'verify', '--export', name]);
    };

    it('one changed character', async () => {
      const changed = [...lines];
      changed[2] = changed[2]!.replace(/"enquiryDate":"20(\d)/, (_, d) => `"enquiryDate":"20${(Number(d) + 1) % 10}`);
      expect(changed[2]).not.toBe(lines[2]);
      const r = await check('changed.jsonl', changed);
      expect(r.code).toBe(1);
      expect(r.json.failure).toMatchObject({ seq: 3 });
      expect(r.json.failure.reason).toMatch(/entry 3 .*does not match its hash/);
    });

    it('one deleted line', async () => {
      const r = await check(
        'deleted.jsonl',
        lines.filter((_, i) => i !== 4),
      );
      expect(r.code).toBe(1);
      expect(r.json.failure.reason).toMatch(/entry 5 is missing/);
    });

    it('two swapped lines', async () => {
      const swapped = [...lines];
      [swapped[3], swapped[4]] = [swapped[4]!, swapped[3]!];
      const r = await check('swapped.jsonl', swapped);
      expect(r.code).toBe(1);
      expect(r.json.failure.reason).toMatch(/out of order|missing/);
    });

    it('a truncated tail, against the manifest', async () => {
      const r = await check('truncated.jsonl', [...lines.slice(0, 5), lines[lines.length - 1]!]);
      expect(r.code).toBe(1);
      expect(r.json.failure.reason).toMatch(/manifest promises/);
    });

    it('a changed CSV cell', async () => {
      const csv = readFileSync(join(cwd, 'all.csv'), 'utf8').replace(
        'Explained the monthly return',
        'Explained the monthly returns',
      );
      writeFileSync(join(cwd, 'changed.csv'), csv);
      writeFileSync(join(cwd, 'changed.csv.manifest.json'), readFileSync(join(cwd, 'all.csv.manifest.json')));
      const r = await cli(['--json', 'verify', '--export', 'changed.csv']);
      expect(r.code).toBe(1);
      expect(r.json.failure.seq).toBe(1);
    });
  });

  it('concurrent record calls and an import keep the chain gap-free and valid', async () => {
    const recordOne = (i: number) =>
      cli([
        'record',
        '--utr',
        '2234567890',
        '--operator',
        '2345678',
        '--channel',
        'internal-enquiry',
        '--subject',
        'Letter',
        '--action',
        `Parallel ${i}`,
      ]);
    writeFileSync(
      join(cwd, 'more.csv'),
      readFileSync(join(FIXTURES, 'contacts.csv'), 'utf8')
        .replace(/2019-03-14/g, '2019-03-13')
        .replace(/LEG-/g, 'PAR-'),
    );
    const results = await Promise.all([
      recordOne(1),
      cli(['import', 'more.csv', '--rejects', '/dev/null']),
      recordOne(2),
      recordOne(3),
      recordOne(4),
    ]);
    expect(results.map((r) => r.code)).toEqual([0, 1, 0, 0, 0]);
    const verified = await cli(['--json', 'verify']);
    expect(verified.code).toBe(0);
    expect(verified.json).toMatchObject({ intact: true, firstSeq: 1 });
    expect(verified.json.lastSeq).toBe(verified.json.checked);
  });

  it('an enquiry without its contact is refused; planted by the owner behind its trigger, verify names it', async () => {
    expect((await cli(['verify'])).code).toBe(0);
    const plant = sql`insert into public.enquiries (contact_seq, position, subject, action_taken) values (999999, 1, 'Letter', 'Planted')`;
    const store = await target.open();
    try {
      await expect(store.db.transaction((tx) => tx.execute(plant))).rejects.toMatchObject({
        cause: expect.objectContaining({
          message: expect.stringContaining(
            'an enquiry may be added to contact 999999 only in the transaction that records it',
          ),
        }),
      });
      await store.db.execute(sql`alter table public.enquiries disable trigger enquiries_with_their_contact`);
      await store.db.transaction((tx) => tx.execute(plant));
      await store.db.execute(sql`alter table public.enquiries enable always trigger enquiries_with_their_contact`);
    } finally {
      await store.close();
    }
    const r = await cli(['--json', 'verify']);
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({
      intact: false,
      failureCount: 1,
      failure: {
        seq: 999999,
        kind: 'missing',
        reason: 'enquiry 1 of contact 999999 is stored, but no contact 999999 is',
      },
    });
  });

  it("a row altered behind the application's back makes verify fail and name it", async () => {
    const store = await target.open();
    try {
      await store.db.execute(sql`alter table public.contacts disable trigger contacts_refuse_update_delete`);
      await store.db.execute(sql`update public.contacts set contact_name = 'Someone Else' where seq = 2`);
      await store.db.execute(sql`alter table public.contacts enable trigger contacts_refuse_update_delete`);
    } finally {
      await store.close();
    }
    const r = await cli(['--json', 'verify']);
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({ intact: false, failure: { seq: 2 } });
    const human = await cli(['verify']);
    expect(human.stdout).toMatch(
      /entry 2 \[altered, recorded by \w+\]: entry 2 \(source key .*\) does not match its hash/,
    );
  });
});
