/**
 * Through a real PgBouncer, in transaction and in session mode: every
 * command works (no startup parameter a pooler refuses, no statement
 * prepared by name on one server connection and used on another), and a
 * pooler that logs everyone in as one user is refused for writing, since
 * each contact is stamped with the login that wrote it.
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCli } from '../support/cli.js';
import { type Pooler, poolerUnavailable, startPgBouncer } from '../support/pgbouncer.js';
import { SERVER_URL, type Target, fixtureStore } from '../support/targets.js';

const unavailable = poolerUnavailable(SERVER_URL);
const RECORD = ['record', '--utr', '1955839661', '--operator', '1234567', '--channel', 'internal-enquiry', '--subject', 'Letter'];

describe.skipIf(unavailable !== undefined).each(['transaction', 'session'] as const)('through PgBouncer in %s mode', (mode) => {
  let target: Target;
  let cwd: string;
  let pooler: Pooler;
  let direct: Record<string, string>;
  let pooled: Record<string, string>;
  const stranger = `pool_stranger_${process.pid}_${mode}`;
  let server: postgres.Sql;

  beforeAll(async () => {
    ({ target, cwd } = await fixtureStore('postgres', `pooler-${mode}`));
    direct = target.env;
    const database = new URL(direct.DATABASE_URL!).pathname.slice(1);
    const user = new URL(SERVER_URL!).username || 'postgres';
    server = postgres(SERVER_URL!, { max: 1, onnotice: () => {} });
    await server.unsafe(`create role ${stranger} login`);
    pooler = await startPgBouncer(SERVER_URL!, mode, [{ name: 'cis', database }, { name: 'forced', database, forcedUser: user }], [user, stranger]);
    pooled = { DATABASE_URL: pooler.url('cis', user) };
  }, 120_000);

  afterAll(async () => {
    await pooler?.stop();
    await target?.dispose();
    await server?.unsafe(`drop role if exists ${stranger}`);
    await server?.end();
  });

  it('records, runs two scripts at once, imports, and shows the history', async () => {
    const recorded = await runCli([...RECORD, '--action', `through ${mode} pooling`, '--json'], pooled);
    expect(recorded.code, recorded.stderr + pooler.log()).toBe(0);
    const script = (n: string) => {
      const path = join(cwd, `script-${n}.txt`);
      writeFileSync(path, Array.from({ length: 20 }, (_, i) => `${RECORD.slice(1).join(' ')} --action 'script ${n} line ${i + 1}'`).join('\n') + '\n');
      return path;
    };
    const runs = await Promise.all(['a', 'b'].map((n) => runCli(['run', script(n), '--json'], pooled)));
    for (const run of runs) {
      expect(run.code, run.stderr).toBe(0);
      expect(run.json.recorded).toBe(20);
    }
    const imported = await runCli(['import', `${FIXTURES}contacts.csv`, '--rejects', join(cwd, 'rejects.csv'), '--json'], pooled, { cwd });
    expect([0, 1], imported.stderr).toContain(imported.code);
    expect(imported.json.contactsWritten).toBeGreaterThan(0);
    const history = await runCli(['history', '1955839661', '--all', '--json'], pooled);
    expect(history.code, history.stderr).toBe(0);
    expect(history.json.length).toBeGreaterThanOrEqual(41);
  });

  it.each([
    ['csv', []], ['jsonl', []], ['csv', ['--utr', '1955839661']], ['jsonl', ['--utr', '1955839661']],
  ] as const)('exports %s %j as a direct connection does, and it verifies', async (format, filter) => {
    const through = join(cwd, `pooled-${format}-${filter.length}.${format}`);
    const straight = join(cwd, `direct-${format}-${filter.length}.${format}`);
    const viaPooler = await runCli(['export', '--format', format, ...filter, '--out', through], pooled);
    expect(viaPooler.code, viaPooler.stderr + pooler.log()).toBe(0);
    expect((await runCli(['export', '--format', format, ...filter, '--out', straight], direct)).code).toBe(0);
    // The manifest line of a JSON Lines export is the same too: it says nothing of the connection.
    expect(readFileSync(through, 'utf8')).toBe(readFileSync(straight, 'utf8'));
    expect(readFileSync(through, 'utf8').split('\n').length).toBeGreaterThan(3);
    const verified = await runCli(['verify', '--export', through], pooled);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
  });

  it('verifies the store intact', async () => {
    const verified = await runCli(['verify', '--json'], pooled);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.json.intact).toBe(true);
  });

  it('a pooler that logs in as one user is refused for writing, naming both logins, and stores nothing', async () => {
    const forced = { DATABASE_URL: pooler.url('forced', stranger) };
    const before = await runCli(['verify', '--json'], direct);
    const refused = await runCli([...RECORD, '--action', 'as someone else'], forced);
    expect(refused.code, refused.stderr).toBe(3);
    expect(refused.stderr).toContain(`runs this session as ${new URL(SERVER_URL!).username || 'postgres'}, not as ${stranger}`);
    expect(refused.stderr).toContain('[login-not-own]');
    const after = await runCli(['verify', '--json'], direct);
    expect(after.json.checked).toBe(before.json.checked);
  });
});

describe.runIf(unavailable !== undefined)('PgBouncer', () => {
  it(`pooler tests skipped: ${unavailable}`, () => {
    expect(unavailable).toBeTruthy();
  });
});
