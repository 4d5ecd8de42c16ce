import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Started, runCli, startCli } from '../support/cli.js';
import { untilPrinted } from '../support/events.js';
import { DRIVERS, type Target, fixtureTarget, queryStore } from '../support/targets.js';

const UTRS = ['1955839661', '2234567890', '2628194821', '8993518190'];

/** A line is reported once it is committed. */
const untilReported = (started: Started, lines: number) => untilPrinted(started, /^line \d+: /, lines);

function scriptOf(count: number, prefix: string): string {
  const lines = ['# generated'];
  for (let i = 0; i < count; i++) {
    lines.push(`--utr ${UTRS[i % UTRS.length]} --operator 1234567 --contact-type agent --contact-name "Agent ${i}" --channel email `
      + `--auth authenticated --subject Letter --action 'Sent letter ${i}' --notes "Note ${i}, with a # inside" --ref ${prefix}-${i}`);
  }
  return `${lines.join('\n')}\n`;
}

describe.each(DRIVERS)('run on %s', (driver) => {
  let target: Target;
  let cwd: string;
  const cli = (args: string[], input?: string) => runCli(args, target.env, { cwd, ...(input ? { input } : {}) });

  async function count(prefix: string): Promise<{ n: number; keys: number }> {
    const [r] = await queryStore<{ n: number; keys: number }>(target,
      sql`select count(*)::int as n, count(distinct source_key)::int as keys from public.contacts where source_key like ${`${prefix}-%`}`);
    return r!;
  }

  beforeAll(async () => {
    target = await fixtureTarget(driver);
    cwd = mkdtempSync(join(tmpdir(), 'cis-contact-run-'));
  });
  afterAll(() => target?.dispose());

  it('records a 10,000-line script in one process; a re-run records nothing twice', async () => {
    writeFileSync(join(cwd, 'big.txt'), scriptOf(10_000, 'BIG'));
    const r = await cli(['--json', 'run', 'big.txt']);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ lines: 10_000, recorded: 10_000, failed: 0 });
    expect(r.json.results[0]).toMatchObject({ line: 2, recorded: true, duplicate: false });
    expect(await count('BIG')).toEqual({ n: 10_000, keys: 10_000 });
  });

  it('a re-run after the process was killed half-way completes the script with no duplicates', async () => {
    writeFileSync(join(cwd, 'half.txt'), scriptOf(3000, 'HALF'));
    const started = startCli(['run', 'half.txt'], target.env, { cwd, stdout: true });
    // A line is reported once it is committed: kill after the hundredth, whatever the machine's speed.
    await untilReported(started, 100);
    started.child.kill('SIGKILL');
    await started.exited;
    const partial = (await count('HALF')).n;
    expect(partial).toBeGreaterThanOrEqual(100);
    expect(partial).toBeLessThan(3000);
    const r = await cli(['--json', 'run', 'half.txt']);
    expect(r.json).toMatchObject({ lines: 3000, recorded: 3000 - partial, duplicate: partial, failed: 0 });
    expect(r.json.results.filter((x: { duplicate: boolean }) => x.duplicate).length).toBe(partial);
    expect(await count('HALF')).toEqual({ n: 3000, keys: 3000 });
  });

  it('SIGTERM stops a script after the line in hand (exit 143, saying so); running it again completes it with nothing twice', async () => {
    writeFileSync(join(cwd, 'term.txt'), scriptOf(3000, 'TERM'));
    const started = startCli(['run', 'term.txt'], target.env, { cwd, stdout: true });
    await untilReported(started, 100);
    started.child.kill('SIGTERM');
    const { code, stderr } = await started.exited;
    expect(code).toBe(143);
    expect(stderr).toMatch(/Interrupted after line \d+\. Run the same script again to complete it/);
    const partial = (await count('TERM')).n;
    expect(partial).toBeGreaterThanOrEqual(100);
    expect(partial).toBeLessThan(3000);
    const r = await cli(['--json', 'run', 'term.txt']);
    expect(r.json).toMatchObject({ lines: 3000, recorded: 3000 - partial, duplicate: partial, failed: 0 });
    expect(await count('TERM')).toEqual({ n: 3000, keys: 3000 });
  });

  it('each line succeeds or fails alone; --stop-on-error stops at the first failure', async () => {
    const script = [
      "--utr 1955839661 --operator 1234567 --channel internal-enquiry --subject Letter --action 'ok one' --ref MIX-1",
      '--utr 1234567890 --operator 1234567 --channel internal-enquiry --subject Letter --action bad --ref MIX-2',
      "--utr 1955839661 --operator 1234567 --channel internal-enquiry --subject Letter --action 'ok two' --ref MIX-3",
    ].join('\n');
    const all = await cli(['--json', 'run', '-'], script);
    expect(all.code).toBe(1);
    expect(all.json).toMatchObject({ lines: 3, recorded: 2, failed: 1, results: [
      { line: 1, recorded: true }, { line: 2, recorded: false, errors: [{ code: 'utr-check-digit' }] }, { line: 3, recorded: true },
    ] });
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
  const notesOf = async (ref: string) => (await queryStore<{ general_notes: string | null; action_taken: string | null; subject: string }>(target,
    sql`select e.subject, e.action_taken, e.general_notes from public.contacts c join public.enquiries e on e.contact_seq = c.seq where c.source_key = ${ref} order by e.position`));

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
    expect(r.json.results.map((x: { errors: { code: string }[] }) => x.errors[0]?.code ?? null)).toEqual([null, 'usage', 'line-unreadable', 'line-unreadable', 'usage', null]);
    expect(r.json.results[1].errors[0].message).toMatch(/--notes needs a value/);
    expect(await notesOf('RH-1')).toEqual([{ subject: 'Letter', action_taken: 'Wrote', general_notes: 'invoice#5' }]);
    expect(await notesOf('RH-5')).toEqual([{ subject: 'Letter', action_taken: '-minus start', general_notes: '-5 days late' }]);
    for (const ref of ['RH-2', 'RH-3', 'RH-4']) expect(await notesOf(ref)).toEqual([]);
    const again = await cli(['--json', 'run', '-'], script);
    expect(again.json).toMatchObject({ recorded: 0, duplicate: 2, failed: 4 });
    expect(again.stdout + again.stderr).not.toContain('Recorded: contact');
    expect((await count('RH')).n).toBe(2);
  });

  it('a line holding what a shell would expand stores nothing and says to single-quote it; quoted, it is stored as written', async () => {
    const script = [`${LINE} --notes "dq $HOME" --ref EXP-1`, `${LINE} --notes ~/x --ref EXP-2`, `${LINE} --notes '$HOME, ~/x' --ref EXP-3`].join('\n');
    const r = await cli(['run', '-'], script);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/line 1: Not recorded\n +error +line-unreadable +the line cannot be read as it stands: \$HOME at column \d+: a shell would expand it; put it in single quotes to keep it as text/);
    expect(r.stdout).toMatch(/line 2: Not recorded\n +error +line-unreadable +the line cannot be read as it stands: ~ at column \d+: a shell would expand it to a home directory; put it in single quotes/);
    for (const ref of ['EXP-1', 'EXP-2']) expect(await notesOf(ref)).toEqual([]);
    expect(await notesOf('EXP-3')).toEqual([{ subject: 'Letter', action_taken: 'Wrote', general_notes: '$HOME, ~/x' }]);
  });

  it('--dry-run sees what earlier lines would record: a later conflicting line fails as in a real run, and nothing is written', async () => {
    const script = [`${LINE} --ref DRYC-1`, `${LINE.replace('Wrote', 'Different')} --ref DRYC-1`, `${LINE} --ref DRYC-1`].join('\n');
    const r = await cli(['run', '-', '--dry-run'], script);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/line 1: Would record/);
    expect(r.stdout).toMatch(/line 2: Not recorded[\s\S]*conflicts-with-recorded/);
    expect(r.stdout).toMatch(/line 3: Already recorded/);
    expect(r.stdout).toMatch(/3 lines: 1 would be recorded, 1 already recorded, 1 failed/);
    expect(r.stderr).toBe('');
    expect((await count('DRYC')).n).toBe(0);
    const real = await cli(['--json', 'run', '-'], script);
    expect(real.json).toMatchObject({ recorded: 1, duplicate: 1, failed: 1, results: [{}, { errors: [{ code: 'conflicts-with-recorded' }] }, { duplicate: true }] });
  });

  it('record and run group --action/--notes with the --subject before them, accumulate --partners, and name flags in messages', async () => {
    const flags = ['--utr', '1955839661', '--operator', '1234567', '--channel', 'internal-enquiry', '--subject', 'Callback', '--action', 'A', '--notes', 'n1',
      '--subject', 'Complaint', '--action', 'B', '--subject', 'Other', '--action', 'C', '--notes', 'n3'];
    expect((await cli(['record', ...flags, '--ref', 'GRP-1'])).code).toBe(0);
    expect((await cli(['run', '-'], `${flags.join(' ')} --ref GRP-2`)).code).toBe(0);
    for (const ref of ['GRP-1', 'GRP-2']) {
      expect(await notesOf(ref)).toEqual([
        { subject: 'Callback', action_taken: 'A', general_notes: 'n1' },
        { subject: 'Complaint', action_taken: 'B', general_notes: null },
        { subject: 'Other', action_taken: 'C', general_notes: 'n3' },
      ]);
    }
    const partners = ['--utr', '2108834503', '--partners', '1097172564', '--partners', '8526018159', '--operator', '1234567', '--channel', 'internal-enquiry', '--subject', 'Letter', '--action', 'x'];
    const recorded = await cli(['--json', 'record', ...partners, '--ref', 'PART-1']);
    const ran = await cli(['--json', 'run', '-'], `${partners.join(' ')} --ref PART-2`);
    expect(recorded.json.contacts.map((c: { utr: string }) => c.utr).sort()).toEqual(['1097172564', '8526018159']);
    expect(ran.json.results[0].contacts.map((c: { utr: string }) => c.utr).sort()).toEqual(['1097172564', '8526018159']);
    const missing = await cli(['--json', 'record', '--utr', '1955839661', '--channel', 'internal-enquiry', '--subject', 'Letter', '--action', 'x']);
    expect(missing.json.errors).toEqual([{ code: 'operator-missing', field: '--operator', message: '--operator is required: the 7-digit PID of the operator' }]);
    const before = await cli(['record', '--utr', '1955839661', '--action', 'a', '--subject', 'Letter', '--subject', 'Other']);
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
