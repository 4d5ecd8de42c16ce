import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Started, runCli, startCli } from '../support/cli.js';
import { untilPrinted } from '../support/events.js';
import { DRIVERS, type Target, fixtureTarget, queryStore } from '../support/targets.js';
import { scratchFolder } from '../support/scratch.js';

const UTRS = ['1955839661', '2234567890', '2628194821', '8993518190'];

/** A line is reported once it is committed. */
const untilReported = (started: Started, lines: number) => untilPrinted(started, /^line \d+: /, lines);

/** A script of `count` lines, each with its own --ref; `notes` follows each line's own words in its --notes. */
function scriptOf(count: number, prefix: string, notes = ''): string {
  const lines = ['# generated'];
  for (let i = 0; i < count; i++) {
    lines.push(
      `--utr ${UTRS[i % UTRS.length]} --operator 1234567 --contact-type agent --contact-name "Agent ${i}" --channel email ` +
        `--auth authenticated --subject Letter --action 'Sent letter ${i}' --notes "Note ${i}, with a # inside${notes}" --ref ${prefix}-${i}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** A script file is read 64 KiB at a time (fs.createReadStream): a longer one reaches run in several reads, a line split across two. */
const READ_BYTES = 64 * 1024;
/** Notes of a length people write (the limit is 512 characters), so that a script longer than one read needs few lines. */
const LONG_NOTES =
  '; the agent asked about the monthly return and the deduction statement, which was explained in full, ' +
  'and confirmed the verification status of the subcontractor, who will send the missing details by post; ' +
  'the contractor disputed the late filing penalty and was told how to appeal in writing within thirty days';
/** The subjects of each line of longScriptOf: three enquiries, each with notes of that length. */
const LONG_SUBJECTS = ['Letter', 'Callback', 'Complaint'];

/**
 * A script of `count` lines as long as people write them, each with its own --ref: three enquiries a line, each with
 * long notes (1.35 KB a line), so that 50 lines are longer than one read; a line is one transaction, whatever its
 * enquiries, and 50 cost what 50 do where the 130 one-enquiry lines this took before cost 130.
 */
function longScriptOf(count: number, prefix: string): string {
  const lines = ['# generated'];
  for (let i = 0; i < count; i++) {
    const enquiries = LONG_SUBJECTS.map(
      (subject) =>
        `--subject ${subject} --action '${subject} answered ${i}' --notes "Note ${i} on the ${subject.toLowerCase()}, with a # inside${LONG_NOTES}"`,
    );
    lines.push(
      `--utr ${UTRS[i % UTRS.length]} --operator 1234567 --contact-type agent --contact-name "Agent ${i}" --channel email ` +
        `--auth authenticated ${enquiries.join(' ')} --ref ${prefix}-${i}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

describe.each(DRIVERS)('run on %s', (driver) => {
  let target: Target;
  let cwd: string;
  const cli = (args: string[], input?: string) => runCli(args, target.env, { cwd, ...(input ? { input } : {}) });

  async function count(prefix: string): Promise<{ n: number; keys: number }> {
    const [r] = await queryStore<{ n: number; keys: number }>(
      target,
      sql`select count(*)::int as n, count(distinct source_key)::int as keys from public.contacts where source_key like ${`${prefix}-%`}`,
    );
    return r!;
  }

  beforeAll(async () => {
    target = await fixtureTarget(driver);
    cwd = scratchFolder('cis-contact-run-');
  });
  afterAll(() => target?.dispose());

  // Its speed against separate record processes at 10,000 lines is the benchmark's (test/bench/run-vs-record.mjs);
  // here, every line of a script longer than one read of its file is stored, once.
  it('records a script longer than one read of its file (50 lines of three enquiries) in one process, every line stored once', async () => {
    const BIG = 50;
    const script = longScriptOf(BIG, 'BIG');
    // Plain ASCII, so characters are bytes: the first read ends inside a line, which the second read completes.
    expect(Buffer.byteLength(script)).toBeGreaterThan(READ_BYTES);
    expect(script[READ_BYTES - 1]).not.toBe('\n');
    writeFileSync(join(cwd, 'big.txt'), script);
    const r = await cli(['--json', 'run', 'big.txt']);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ lines: BIG, recorded: BIG, failed: 0 });
    expect(r.json.results[0]).toMatchObject({ line: 2, recorded: true, duplicate: false });
    expect(r.json.results.map((x: { line: number }) => x.line)).toEqual(Array.from({ length: BIG }, (_, i) => i + 2));
    // Every enquiry of every line, the one split across the two reads among them, stored whole.
    const [stored] = await queryStore<{ n: number; keys: number; enquiries: number; whole: number }>(
      target,
      sql`select count(distinct c.seq)::int as n, count(distinct c.source_key)::int as keys, count(*)::int as enquiries,
      count(*) filter (where e.general_notes = 'Note ' || substr(c.source_key, 5) || ' on the ' || lower(e.subject) || ', with a # inside' || ${LONG_NOTES})::int as whole
      from public.contacts c join public.enquiries e on e.contact_seq = c.seq where c.source_key like 'BIG-%'`,
    );
    expect(stored).toEqual({ n: BIG, keys: BIG, enquiries: 3 * BIG, whole: 3 * BIG });
  });

  /**
   * The kills and signals below come once line 20 of an 80-line script is reported, and each test asserts that some
   * lines and not all were stored. A script read from a file goes on meanwhile: its 60 lines still to come take the
   * run about 0.6 s on the server, the faster driver (10 ms a line, measured on this 2-core machine), against the
   * 20 ms a wait takes to see the twentieth. A script on standard input is given the rest only after the signal.
   */
  const LINES = 80;
  const KILLED_AFTER = 20;

  it('a re-run after the process was killed half-way completes the script with no duplicates', async () => {
    writeFileSync(join(cwd, 'half.txt'), scriptOf(LINES, 'HALF'));
    const started = startCli(['run', 'half.txt'], target.env, { cwd, stdout: true });
    // A line is reported once it is committed: kill after the twentieth, whatever the machine's speed.
    await untilReported(started, KILLED_AFTER);
    started.child.kill('SIGKILL');
    await started.exited;
    const partial = (await count('HALF')).n;
    expect(partial).toBeGreaterThanOrEqual(KILLED_AFTER);
    expect(partial).toBeLessThan(LINES);
    const r = await cli(['--json', 'run', 'half.txt']);
    expect(r.json).toMatchObject({ lines: LINES, recorded: LINES - partial, duplicate: partial, failed: 0 });
    expect(r.json.results.filter((x: { duplicate: boolean }) => x.duplicate).length).toBe(partial);
    expect(await count('HALF')).toEqual({ n: LINES, keys: LINES });
  });

  it('SIGTERM stops a script after the line in hand (exit 143, saying so); running it again completes it with nothing twice', async () => {
    writeFileSync(join(cwd, 'term.txt'), scriptOf(LINES, 'TERM'));
    const started = startCli(['run', 'term.txt'], target.env, { cwd, stdout: true });
    await untilReported(started, KILLED_AFTER);
    started.child.kill('SIGTERM');
    const { code, stderr } = await started.exited;
    expect(code).toBe(143);
    expect(stderr).toMatch(
      /Interrupted after line \d+\. To complete the script, with nothing stored twice: cis-contact run term\.txt --from-line \d+/,
    );
    const partial = (await count('TERM')).n;
    expect(partial).toBeGreaterThanOrEqual(KILLED_AFTER);
    expect(partial).toBeLessThan(LINES);
    const r = await cli(['--json', 'run', 'term.txt']);
    expect(r.json).toMatchObject({ lines: LINES, recorded: LINES - partial, duplicate: partial, failed: 0 });
    expect(await count('TERM')).toEqual({ n: LINES, keys: LINES });
  });

  /** A script of lines without --ref, each its own contact: only --from-line can resume it with nothing twice. */
  function unkeyedScript(count: number, tag: string): string {
    const lines = ['# no --ref on any line', ''];
    for (let i = 0; i < count; i++)
      lines.push(
        `--utr ${UTRS[i % UTRS.length]} --operator 1234567 --channel internal-enquiry --subject Letter --action '${tag} ${i}'`,
      );
    return `${lines.join('\n')}\n`;
  }
  const unkeyed = async (tag: string) =>
    (
      await queryStore<{ n: number; distinct: number }>(
        target,
        sql`
    select count(*)::int as n, count(distinct e.action_taken)::int as distinct from public.contacts c join public.enquiries e on e.contact_seq = c.seq
    where e.action_taken like ${`${tag} %`}`,
      )
    )[0]!;

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} part-way names the --from-line that completes a script without --ref; it stores every line exactly once`, async () => {
      const tag = `Unkeyed-${signal}`;
      const script = unkeyedScript(LINES, tag);
      const lines = script.split('\n');
      // The script comes on standard input, its first 20 contacts first (after two lines that are not contacts): the
      // signal arrives once they are reported, wherever the run is; the rest is written only after it.
      const given = 2 + KILLED_AFTER;
      const started = startCli(['run', '-'], target.env, { cwd, stdout: true, stdin: true });
      started.child.stdin!.write(`${lines.slice(0, given).join('\n')}\n`);
      await untilReported(started, KILLED_AFTER);
      started.child.kill(signal);
      // The rest of the script follows; the run stops after the line in hand.
      started.child.stdin!.end(lines.slice(given).join('\n'));
      const { code, stderr } = await started.exited;
      expect(code, stderr).toBe(signal === 'SIGINT' ? 130 : 143);
      const [, after, from] =
        /Interrupted after line (\d+)\. To complete the script, with nothing stored twice: cis-contact run - --from-line (\d+) < SCRIPT \(the same script again\)\n/.exec(
          stderr,
        ) ?? [];
      expect(from, stderr).toBeDefined();
      expect(Number(from)).toBe(Number(after) + 1);
      // Script lines 3 to N-1 are the contacts stored: exactly the ones before the line named.
      const stored = (await unkeyed(tag)).n;
      expect(stored).toBe(Number(from) - 3);
      expect(stored).toBeGreaterThanOrEqual(KILLED_AFTER);
      expect(stored).toBeLessThan(LINES);
      const rest = await cli(['--json', 'run', '-', '--from-line', from!], script);
      expect(rest.code).toBe(0);
      expect(rest.json).toMatchObject({ lines: LINES - stored, recorded: LINES - stored, failed: 0 });
      expect(rest.json.results[0].line).toBe(Number(from));
      expect(await unkeyed(tag)).toEqual({ n: LINES, distinct: LINES });
    });
  }

  it('Ctrl-C while a script on standard input waits for its next line ends the run at once, naming the --from-line', async () => {
    const lines = unkeyedScript(5, 'Waiting').split('\n');
    const started = startCli(['run', '-'], target.env, { cwd, stdout: true, stdin: true });
    // Five contacts, and standard input left open, as a user typing lines would leave it.
    started.child.stdin!.write(`${lines.join('\n')}\n`);
    await untilReported(started, 5);
    started.child.kill('SIGINT');
    const { code, stderr } = await started.exited;
    expect(code, stderr).toBe(130);
    expect(stderr).toContain(
      'Interrupted after line 7. To complete the script, with nothing stored twice: cis-contact run - --from-line 8 < SCRIPT (the same script again)',
    );
    expect((await unkeyed('Waiting')).n).toBe(5);
  });

  it('--stop-on-error names the failing line as the --from-line; --from-line runs only the lines from it', async () => {
    const script = unkeyedScript(4, 'Stop').replace('--utr 2628194821', '--utr 1234567890');
    writeFileSync(join(cwd, 'stop.txt'), script);
    const stopped = await cli(['run', 'stop.txt', '--stop-on-error']);
    expect(stopped.code).toBe(1);
    expect(stopped.stderr).toContain(
      'Stopped at line 5, which stored nothing. Correct it, then complete the script with: cis-contact run stop.txt --from-line 5 --stop-on-error (or --from-line 6 to leave that line out)',
    );
    expect((await cli(['--json', 'run', 'stop.txt', '--stop-on-error', '--from-line', '5'])).json).toMatchObject({
      lines: 1,
      resumeFromLine: 5,
      failed: 1,
    });
    // Lines 3 and 4 are stored: run again, they are refused as the same, not stored twice.
    expect((await cli(['--json', 'run', 'stop.txt', '--from-line', '3'])).json).toMatchObject({
      lines: 4,
      recorded: 1,
      failed: 3,
    });
    const rest = await cli(['--json', 'run', 'stop.txt', '--from-line', '6']);
    expect(rest.json).toMatchObject({
      lines: 1,
      recorded: 0,
      failed: 1,
      results: [{ line: 6, errors: [{ code: 'same-as-recorded' }] }],
    });
    expect(rest.json.resumeFromLine).toBeUndefined();
    expect(await unkeyed('Stop')).toEqual({ n: 3, distinct: 3 });
  });

  it('--from-line must name a line: not inside a continued line, and a whole number', async () => {
    writeFileSync(join(cwd, 'continued.txt'), `${LINE} \\\n  --notes 'joined' --ref CONT-1\n${LINE} --ref CONT-2\n`);
    const inside = await cli(['run', 'continued.txt', '--from-line', '2']);
    expect(inside.code).toBe(2);
    expect(inside.stderr).toMatch(
      /--from-line 2 is inside the line that starts at line 1 and is continued \(a trailing backslash\) to line 2\n.*--from-line 1 to run that line, or --from-line 3 to leave it out/,
    );
    expect((await cli(['run', 'continued.txt', '--from-line', 'two'])).code).toBe(2);
    const from3 = await cli(['--json', 'run', 'continued.txt', '--from-line', '3']);
    expect(from3.json).toMatchObject({ lines: 1, recorded: 1, results: [{ line: 3 }] });
    expect(await notesOf('CONT-1', 'CONT-2')).toEqual({
      'CONT-1': [],
      'CONT-2': [{ subject: 'Letter', action_taken: 'Wrote', general_notes: null }],
      others: [],
    });
  });

  it('a line repeated without --ref is refused unless it says --again; --strict refuses a line with warnings', async () => {
    const line =
      "--utr 1955839661 --operator 1234567 --channel internal-enquiry --subject Letter --action 'Twice on purpose'";
    const r = await cli(['--json', 'run', '-'], `${line}\n${line}\n${line} --again\n`);
    expect(r.json).toMatchObject({
      recorded: 2,
      failed: 1,
      results: [{ recorded: true }, { errors: [{ code: 'same-as-recorded', field: '--again' }] }, { recorded: true }],
    });
    const strict = await cli(
      ['--json', 'run', '-', '--strict'],
      "--utr 1955839661 --operator 1234567 --channel internal-enquiry --subject Letter --action 'Sent WAM'\n",
    );
    expect(strict.json).toMatchObject({
      recorded: 0,
      failed: 1,
      results: [{ errors: [{ code: 'abbreviation', field: '--action' }] }],
    });
  });

  it('a flag without its value, and words outside quotes, are named with the fix', async () => {
    const r = await cli(
      ['--json', 'run', '-'],
      [
        '--utr 1955839661 --operator 1234567 --channel --auth authenticated --subject Letter --action x',
        '--utr 1955839661 --operator 1234567 --channel internal-enquiry --subject Letter --action Sent a letter',
      ].join('\n'),
    );
    expect(r.json.results.map((x: { errors: { message: string }[] }) => x.errors[0]!.message)).toEqual([
      '--channel has no value: the word after it is --auth, another flag. Give --channel its value (a value that really starts with -- is written --channel=VALUE)',
      "unexpected words 'a' 'letter' after --action Sent: every value follows its own --flag, so if they belong to that value, quote the value whole: --action 'Sent a letter'",
    ]);
  });

  it('each line succeeds or fails alone; --stop-on-error stops at the first failure', async () => {
    const script = [
      "--utr 1955839661 --operator 1234567 --channel internal-enquiry --subject Letter --action 'ok one' --ref MIX-1",
      '--utr 1234567890 --operator 1234567 --channel internal-enquiry --subject Letter --action bad --ref MIX-2',
      "--utr 1955839661 --operator 1234567 --channel internal-enquiry --subject Letter --action 'ok two' --ref MIX-3",
    ].join('\n');
    const all = await cli(['--json', 'run', '-'], script);
    expect(all.code).toBe(1);
    expect(all.json).toMatchObject({
      lines: 3,
      recorded: 2,
      failed: 1,
      results: [
        { line: 1, recorded: true },
        { line: 2, recorded: false, errors: [{ code: 'utr-check-digit' }] },
        { line: 3, recorded: true },
      ],
    });
    const stopped = await cli(['--json', 'run', '-', '--stop-on-error'], script.replace(/MIX-/g, 'STOP-'));
    expect(stopped.json).toMatchObject({ lines: 2, recorded: 1, failed: 1 });
    expect(await count('STOP')).toEqual({ n: 1, keys: 1 });
  });

  it('--dry-run checks every line and writes nothing', async () => {
    writeFileSync(join(cwd, 'dry.txt'), scriptOf(5, 'DRY'));
    const r = await cli(['--json', 'run', 'dry.txt', '--dry-run']);
    expect(r.json).toMatchObject({ lines: 5, recorded: 5, failed: 0, dryRun: true });
    expect((await count('DRY')).n).toBe(0);
  });

  const LINE = '--utr 1955839661 --operator 1234567 --channel internal-enquiry --subject Letter --action Wrote';
  /**
   * Each --ref's enquiries as stored (none for a --ref not stored), and under `others` those of any other key with the
   * first --ref's prefix (up to its dash): one query, as each opens the store.
   */
  const notesOf = async (...refs: string[]) => {
    const stored = await queryStore<{
      source_key: string;
      subject: string;
      action_taken: string | null;
      general_notes: string | null;
    }>(
      target,
      sql`select c.source_key, e.subject, e.action_taken, e.general_notes from public.contacts c join public.enquiries e on e.contact_seq = c.seq
      where c.source_key like ${`${refs[0]!.replace(/-[^-]*$/, '')}-%`} order by c.seq, e.position`,
    );
    const enquiries = (rows: typeof stored) => rows.map(({ source_key: _, ...row }) => row);
    return {
      ...Object.fromEntries(refs.map((ref) => [ref, enquiries(stored.filter((row) => row.source_key === ref))])),
      others: enquiries(stored.filter((row) => !refs.includes(row.source_key))),
    };
  };

  it('stores only what the user wrote: # inside a word, values that start with a dash; a line a shell would refuse stores nothing', async () => {
    const script = [
      `${LINE} --notes invoice#5 --ref RH-1`,
      `${LINE} --notes #5 --ref RH-2`,
      `${LINE} --notes "line1`,
      'line2" --ref RH-3',
      `${LINE} --ref RH-4 --notes`,
      `${LINE.replace('--action Wrote', '--action "-minus start"')} --notes "-5 days late" --ref RH-5`,
    ].join('\n');
    const r = await cli(['--json', 'run', '-'], script);
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({ lines: 6, recorded: 2, duplicate: 0, failed: 4 });
    expect(r.json.results.map((x: { errors: { code: string }[] }) => x.errors[0]?.code ?? null)).toEqual([
      null,
      'usage',
      'line-unreadable',
      'line-unreadable',
      'usage',
      null,
    ]);
    expect(r.json.results[1].errors[0].message).toMatch(/--notes needs a value/);
    const again = await cli(['--json', 'run', '-'], script);
    expect(again.json).toMatchObject({ recorded: 0, duplicate: 2, failed: 4 });
    expect(again.stdout + again.stderr).not.toContain('Recorded: contact');
    // What both runs stored, in one query: the two lines the first stored, once each, and nothing under any other RH- key.
    expect(await notesOf('RH-1', 'RH-2', 'RH-3', 'RH-4', 'RH-5')).toEqual({
      'RH-1': [{ subject: 'Letter', action_taken: 'Wrote', general_notes: 'invoice#5' }],
      'RH-2': [],
      'RH-3': [],
      'RH-4': [],
      'RH-5': [{ subject: 'Letter', action_taken: '-minus start', general_notes: '-5 days late' }],
      others: [],
    });
  });

  it('a line holding what a shell would expand stores nothing and says to single-quote it; quoted, it is stored as written', async () => {
    const script = [
      `${LINE} --notes "dq $HOME" --ref EXP-1`,
      `${LINE} --notes ~/x --ref EXP-2`,
      `${LINE} --notes '$HOME, ~/x' --ref EXP-3`,
    ].join('\n');
    const r = await cli(['run', '-'], script);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /line 1: Not recorded\n +error +line-unreadable +the line cannot be read as it stands: \$HOME at column \d+: a shell would expand it; put it in single quotes to keep it as text/,
    );
    expect(r.stdout).toMatch(
      /line 2: Not recorded\n +error +line-unreadable +the line cannot be read as it stands: ~ at column \d+: a shell would expand it to a home directory; put it in single quotes/,
    );
    expect(await notesOf('EXP-1', 'EXP-2', 'EXP-3')).toEqual({
      'EXP-1': [],
      'EXP-2': [],
      'EXP-3': [{ subject: 'Letter', action_taken: 'Wrote', general_notes: '$HOME, ~/x' }],
      others: [],
    });
  });

  it('--dry-run sees what earlier lines would record: a later conflicting line fails as in a real run, and nothing is written', async () => {
    const script = [
      `${LINE} --ref DRYC-1`,
      `${LINE.replace('Wrote', 'Different')} --ref DRYC-1`,
      `${LINE} --ref DRYC-1`,
    ].join('\n');
    const r = await cli(['run', '-', '--dry-run'], script);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/line 1: Would record/);
    expect(r.stdout).toMatch(/line 2: Not recorded[\s\S]*conflicts-with-recorded/);
    expect(r.stdout).toMatch(/line 3: Already recorded/);
    expect(r.stdout).toMatch(/3 lines: 1 would be recorded, 1 already recorded, 1 failed/);
    expect(r.stderr).toBe('');
    expect((await count('DRYC')).n).toBe(0);
    const real = await cli(['--json', 'run', '-'], script);
    expect(real.json).toMatchObject({
      recorded: 1,
      duplicate: 1,
      failed: 1,
      results: [{}, { errors: [{ code: 'conflicts-with-recorded' }] }, { duplicate: true }],
    });
  });

  it('record and run group --action/--notes with the --subject before them, accumulate --partners, and name flags in messages', async () => {
    const flags = [
      '--utr',
      '1955839661',
      '--operator',
      '1234567',
      '--channel',
      'internal-enquiry',
      '--subject',
      'Callback',
      '--action',
      'A',
      '--notes',
      'n1',
      '--subject',
      'Complaint',
      '--action',
      'B',
      '--subject',
      'Other',
      '--action',
      'C',
      '--notes',
      'n3',
    ];
    const partners = [
      '--utr',
      '2108834503',
      '--partners',
      '1097172564',
      '--partners',
      '8526018159',
      '--operator',
      '1234567',
      '--channel',
      'internal-enquiry',
      '--subject',
      'Letter',
      '--action',
      'x',
    ];
    expect((await cli(['record', ...flags, '--ref', 'GRP-1'])).code).toBe(0);
    const recorded = await cli(['--json', 'record', ...partners, '--ref', 'PART-1']);
    const missing = await cli([
      '--json',
      'record',
      '--utr',
      '1955839661',
      '--channel',
      'internal-enquiry',
      '--subject',
      'Letter',
      '--action',
      'x',
    ]);
    // The same three as lines of one run: each line succeeds or fails alone.
    const ran = await cli(
      ['--json', 'run', '-'],
      [
        `${flags.join(' ')} --ref GRP-2`,
        `${partners.join(' ')} --ref PART-2`,
        '--utr 1955839661 --channel internal-enquiry --subject Letter --action x',
      ].join('\n'),
    );
    expect(ran.json).toMatchObject({
      lines: 3,
      recorded: 2,
      failed: 1,
      results: [{ recorded: true }, { recorded: true }, { recorded: false }],
    });
    const grouped = [
      { subject: 'Callback', action_taken: 'A', general_notes: 'n1' },
      { subject: 'Complaint', action_taken: 'B', general_notes: null },
      { subject: 'Other', action_taken: 'C', general_notes: 'n3' },
    ];
    expect(await notesOf('GRP-1', 'GRP-2')).toEqual({ 'GRP-1': grouped, 'GRP-2': grouped, others: [] });
    expect(recorded.json.contacts.map((c: { utr: string }) => c.utr).sort()).toEqual(['1097172564', '8526018159']);
    expect(ran.json.results[1].contacts.map((c: { utr: string }) => c.utr).sort()).toEqual([
      '1097172564',
      '8526018159',
    ]);
    // Named as the flag, with the two ways to give it; a line of run the same.
    const operatorMissing = {
      code: 'operator-missing',
      field: '--operator',
      message:
        '--operator is required: the 7-digit PID of the operator; pass --operator PID or set CIS_CONTACT_OPERATOR',
    };
    expect(missing.json.errors).toEqual([operatorMissing]);
    expect(ran.json.results[2].errors).toEqual([operatorMissing]);
    const before = await cli([
      'record',
      '--utr',
      '1955839661',
      '--action',
      'a',
      '--subject',
      'Letter',
      '--subject',
      'Other',
    ]);
    expect(before.code).toBe(2);
    expect(before.stderr).toMatch(/--action comes before the first --subject/);
    expect((await cli(['record', '--utr', '1955839661', '--notes'])).code).toBe(2);
  });

  it('an unreadable script is exit 2', async () => {
    const r = await cli(['run', 'missing.txt']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot read missing.txt: no such file \[file-unreadable\]/);
  });
});
