/**
 * A DBA's timeouts, set the way a DBA sets them (`ALTER ROLE … SET` on the
 * login), on a real server: a statement_timeout, a lock_timeout and an
 * idle_in_transaction_session_timeout each end a command with a message
 * saying what the server did, that nothing of the line or batch in hand was
 * written, and what to change — and running the same command again, once the
 * setting is raised, completes it exactly.
 */

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseOf, defaultRolePrefix, roleName } from '../../src/storage/roles.js';
import { runCli, startCli } from '../support/cli.js';
import { until, untilCommitted } from '../support/events.js';
import { SERVER_URL, type Target, createTarget, queryStore, storedCounts, withUser } from '../support/targets.js';
// @ts-expect-error plain JavaScript shared with the benchmark
import { generate } from '../bench/generate.mjs';
import { scratchFolder } from '../support/scratch.js';

/**
 * Rows of the generated log, for the import paused inside a transaction: it is
 * caught there within a few pauses, a batch or two in (200 or 400 rows
 * committed, in runs measured on 2026-12-07), so 2,000 leave most of the file
 * to come; the same command then completes it. 20,000 only made that re-run
 * ten times longer.
 */
const ROWS = 2_000;
/** Records of the generated registry, which the contacts name (the benchmark's 5,000 took a second more to load). */
const RECORDS = 200;
/** The first record of the generated registry. */
const GENERATED_UTR = '2000100000';
const RECORD = [
  'record',
  '--utr',
  GENERATED_UTR,
  '--operator',
  '1000001',
  '--channel',
  'internal-enquiry',
  '--subject',
  'Letter',
  '--action',
  'Sent the letter',
];

describe.skipIf(!SERVER_URL)("a login's timeouts end a command plainly (PostgreSQL server)", () => {
  const login = `pto_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  let target: Target;
  let data: string;
  let server: postgres.Sql;
  let dba: postgres.Sql;
  /** The login's own connection string: its role settings apply to every session it opens. */
  const loginEnv = () => ({ DATABASE_URL: withUser(target.env.DATABASE_URL!, login) });
  const setting = async (name: string, value: string | null) => {
    await server.unsafe(
      value === null ? `alter role ${login} reset ${name}` : `alter role ${login} set ${name} = '${value}'`,
    );
  };

  beforeAll(async () => {
    data = scratchFolder('cis-contact-timeouts-');
    await generate(data, ROWS, RECORDS);
    target = await createTarget('postgres');
    server = postgres(SERVER_URL!, { max: 1, onnotice: () => {} });
    await server.unsafe(`create role ${login} login`);
    expect((await runCli(['db', 'roles'], target.env)).code).toBe(0);
    for (const what of ['registry', 'operators']) {
      expect(
        (await runCli([what, 'import', join(data, `${what}.csv`), '--rejects', '/dev/null'], target.env)).code,
      ).toBe(0);
    }
    dba = postgres(target.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
    await dba.unsafe(
      `grant ${roleName(defaultRolePrefix(databaseOf(target.env.DATABASE_URL!)), 'recorder')} to ${login}`,
    );
  }, 300_000);

  afterAll(async () => {
    await dba?.end();
    await target?.dispose();
    await server?.unsafe(`drop role if exists ${login}`);
    await server?.end();
    if (data) rmSync(data, { recursive: true, force: true });
  });

  /** Holds a lock every writer's first look at the operators needs, until released. */
  async function holdingOperators(work: () => Promise<void>): Promise<void> {
    const holder = postgres(target.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const held = holder.begin(async (tx) => {
      await tx.unsafe('lock table public.operators in access exclusive mode');
      locked();
      await released;
    });
    try {
      await isLocked;
      await work();
    } finally {
      release();
      await held;
      await holder.end();
    }
  }

  it('a statement_timeout: the record is not written, the message names the setting, and the same command then records it', async () => {
    const before = (await storedCounts(target)).contacts;
    await setting('statement_timeout', '300ms');
    try {
      await holdingOperators(async () => {
        const r = await runCli(RECORD, loginEnv());
        expect(r.code, r.stderr).toBe(3);
        expect(r.stderr).toContain('stopped the command (57014)');
        expect(r.stderr).toContain('statement_timeout set for this login or database');
        expect(r.stderr).toContain('nothing of the batch or line in hand was written');
        expect(r.stderr).toContain('ALTER ROLE name SET statement_timeout');
        expect(r.stderr).not.toMatch(/internal error|this is a bug|\n\s+at /);
      });
      expect((await storedCounts(target)).contacts).toBe(before);
    } finally {
      await setting('statement_timeout', null);
    }
    const again = await runCli(RECORD, loginEnv());
    expect(again.code, again.stderr).toBe(0);
    expect((await storedCounts(target)).contacts).toBe(before + 1);
  });

  it('a lock_timeout: a reader says nothing in the store changed and what to look for', async () => {
    await setting('lock_timeout', '300ms');
    try {
      const holder = postgres(target.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
      try {
        await holder.begin(async (tx) => {
          await tx.unsafe('lock table public.contacts in access exclusive mode');
          const r = await runCli(['history', GENERATED_UTR, '--all'], loginEnv());
          expect(r.code, r.stderr).toBe(3);
          expect(r.stderr).toContain('stopped the command (55P03)');
          expect(r.stderr).toContain('lock_timeout set for this login or database');
          expect(r.stderr).toContain('nothing in the store changed');
          expect(r.stderr).toContain('pg_stat_activity');
          expect(r.stdout).toBe('');
        });
      } finally {
        await holder.end();
      }
    } finally {
      await setting('lock_timeout', null);
    }
    const again = await runCli(['history', GENERATED_UTR, '--all'], loginEnv());
    expect(again.code, again.stderr).toBe(0);
  });

  it('an idle_in_transaction_session_timeout: an import paused inside a transaction is ended, keeps what it committed, and the same command completes it', async () => {
    const before = (await storedCounts(target)).contacts;
    await setting('idle_in_transaction_session_timeout', '1s');
    // A session in a COPY waits on the client as 'active' (wait event ClientRead): not idle, and no timeout ends it.
    const sessions = () => server<{ pid: number; state: string; waitingOnClient: boolean }[]>`
      select pid, state, coalesce(wait_event = 'ClientRead', false) as "waitingOnClient"
      from pg_stat_activity where usename = ${login} and application_name like 'cis-contact/% import'`;
    const imported = startCli(['import', join(data, 'contacts.csv'), '--progress', 'json'], {
      ...loginEnv(),
      CIS_CONTACT_BATCH_ROWS: '200',
    });
    let exited = false;
    void imported.exited.then(() => (exited = true));
    try {
      await untilCommitted(imported, 200);
      // Paused until it is caught inside a transaction: a session idle in one is only ever the client's doing.
      let caught: number | undefined;
      while (caught === undefined && !exited) {
        imported.child.kill('SIGSTOP');
        let seen: { pid: number; state: string; waitingOnClient: boolean }[] = [];
        await until("the paused import's statements to finish", async () => {
          seen = await sessions();
          return seen.every((s) => s.state !== 'active' || s.waitingOnClient);
        });
        caught = seen.some((s) => s.state === 'active')
          ? undefined
          : seen.find((s) => s.state === 'idle in transaction')?.pid;
        if (caught === undefined) {
          imported.child.kill('SIGCONT');
          await untilCommitted(imported, 200);
        }
      }
      if (caught !== undefined) {
        await until(
          'the server to end the session idle in its transaction',
          async () => !(await sessions()).some((s) => s.pid === caught),
        );
        imported.child.kill('SIGCONT');
      }
      const ended = await imported.exited;
      // The server's FATAL 25P03 reaches a client that is not waiting for an answer, and the driver drops it:
      // the tool, finding the server up, asks it and names the login's limit as the likely cause.
      expect(ended.code, ended.stderr).toBe(3);
      expect(ended.stderr).toContain('lost the connection');
      expect(ended.stderr).toMatch(/were committed before it|nothing of .* was committed/);
      expect(ended.stderr).toContain("this login's idle_in_transaction_session_timeout is 1s");
      expect(ended.stderr).toContain('(25P03)');
      expect(ended.stderr).toContain('ALTER ROLE name SET idle_in_transaction_session_timeout');
      expect(ended.stderr).not.toMatch(/internal error|this is a bug|\n\s+at /);
    } finally {
      if (!exited) imported.child.kill('SIGCONT');
      await setting('idle_in_transaction_session_timeout', null);
    }
    const committed = (await storedCounts(target)).contacts - before;
    expect(committed).toBeLessThan(ROWS);
    const again = await runCli(['import', join(data, 'contacts.csv')], loginEnv());
    expect(again.code, again.stderr).toBe(0);
    // The run the server ended never finished: the next run of the same login closes it as interrupted.
    expect(again.stderr).toMatch(
      new RegExp(
        `Closed import run \\d+ \\(.*contacts\\.csv\\) as interrupted: .* after storing ${committed} contacts?\\.`,
      ),
    );
    const counts = await storedCounts(target);
    expect(counts.contacts - before).toBe(ROWS);
    expect(counts.keys).toBe(counts.contacts);
    const [unfinished] = await queryStore<{ n: number }>(
      target,
      sql`select count(*)::int as n from public.import_runs where finished_at is null`,
    );
    expect(unfinished!.n).toBe(0);
    expect((await runCli(['verify'], target.env)).code).toBe(0);
  });
});
