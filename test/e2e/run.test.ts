import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, FIXTURES, runCli } from '../support/cli.js';
import { DRIVERS, type Target, createTarget, queryStore } from '../support/targets.js';

const UTRS = ['1955839661', '2234567890', '2628194821', '8993518190'];

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
      sql`select count(*)::int as n, count(distinct source_key)::int as keys from contacts where source_key like ${`${prefix}-%`}`);
    return r!;
  }

  beforeAll(async () => {
    target = await createTarget(driver);
    cwd = mkdtempSync(join(tmpdir(), 'cis-contact-run-'));
    await cli(['registry', 'import', join(FIXTURES, 'registry.csv'), '--rejects', '/dev/null']);
    await cli(['operators', 'import', join(FIXTURES, 'operators.csv'), '--rejects', '/dev/null']);
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
    const child = spawn(process.execPath, [BIN, 'run', 'half.txt'], { cwd, env: { ...process.env, ...target.env }, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    await new Promise((resolve) => setTimeout(resolve, 2500));
    child.kill('SIGKILL');
    await exited;
    const partial = (await count('HALF')).n;
    expect(partial).toBeLessThan(3000);
    const r = await cli(['--json', 'run', 'half.txt']);
    expect(r.json).toMatchObject({ lines: 3000, recorded: 3000, failed: 0 });
    expect(r.json.results.filter((x: { duplicate: boolean }) => x.duplicate).length).toBe(partial);
    expect(await count('HALF')).toEqual({ n: 3000, keys: 3000 });
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

  it('an unreadable script is exit 2', async () => {
    const r = await cli(['run', 'missing.txt']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot read missing.txt: no such file \[file-unreadable\]/);
  });
});
