/**
 * A PostgreSQL server lost mid-command (a restart, a failover, a session an
 * administrator ended), as each kind of command meets it: an import between
 * batches and in the middle of its COPY, the readers (an export to a file or
 * to standard output, verify, history) and `run`. Each says it is
 * database-unreachable, exit 3, what was committed or that nothing in the
 * store changed, and the same command run again completes it. (Split from
 * store-safety.test.ts, which keeps what users do to processes and disks, so
 * that vitest's two workers share the two.)
 */

import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type SQL, sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Started, runCli, startCli } from '../support/cli.js';
import { until } from '../support/events.js';
import { SERVER_URL, type Target, copyOf, createTarget, queryStore, storedCounts } from '../support/targets.js';
// @ts-expect-error plain JavaScript shared with the benchmark
import { generate } from '../bench/generate.mjs';
import { expectRerunCompletes } from '../support/reruns.js';
import { scratchFolder } from '../support/scratch.js';

/**
 * Rows of the generated log. What is tested is that an import cut off
 * part-way loses nothing committed: imported in batches of 100 and cut once
 * two are committed, it is cut with most of the file still to come (the test
 * asserts it: some rows stored, not all), and the re-run has the rest to do.
 */
const ROWS = 2_000;
/**
 * Records of the generated registry, which every store here loads (the
 * benchmark's 5,000 cost a second or two to load); the log's contacts name
 * these.
 */
const RECORDS = 200;
/** The first record of the generated registry. */
const GENERATED_UTR = '2000100000';

describe.skipIf(!SERVER_URL)('a PostgreSQL server lost mid-command', () => {
  /** The generated log: registry, operators and ROWS contacts. */
  let data: string;
  /** The generated registry and operators loaded: made once, on first use, and copied for each store a test needs. */
  let loaded: Promise<Target> | undefined;
  /** A fresh store with the generated registry and operators loaded. */
  const loadedTarget = async () => {
    loaded ??= (async () => {
      const made = await createTarget('postgres');
      for (const what of ['registry', 'operators']) {
        const r = await runCli([what, 'import', join(data, `${what}.csv`), '--rejects', '/dev/null'], made.env);
        expect(r.code, r.stderr).toBe(0);
      }
      return made;
    })();
    return copyOf(await loaded);
  };
  /** The store the readers read. */
  let target: Target;
  let cwd: string;
  beforeAll(async () => {
    data = scratchFolder('cis-contact-lost-log-');
    await generate(data, ROWS, RECORDS);
    cwd = scratchFolder('cis-contact-lost-');
    target = await loadedTarget();
  });
  afterAll(async () => {
    await target?.dispose();
    await (await loaded?.catch(() => undefined))?.dispose();
  });

  /**
   * Contacts of a log far larger than a connection's buffers hold, for the
   * import cut with most of its one COPY unsent and for the readers cut
   * part-way. Measured on loopback here (2026-12-07, `ss`), a reader stopped
   * as it got under way left the server blocked writing with 3.9 MB in its
   * send buffer (tcp_wmem's 4 MB ceiling) and 0.1–0.25 MB in the reader's:
   * these 25,000 contacts are about 22 MB of export and 9 MB of COPY. (The
   * readers had 60,000 before, which only made their store slower to fill.)
   */
  const BIG_ROWS = 25_000;
  let big: Promise<string> | undefined;
  /** The big log's contacts file, generated on first use (naming the records every store here has). */
  const bigLog = () =>
    (big ??= (async () => {
      const dir = scratchFolder('cis-contact-lost-data-');
      await generate(dir, BIG_ROWS, RECORDS);
      return join(dir, 'contacts.csv');
    })());

  /** The tool's sessions on a store (the readers' unless said), ended from another connection as a restart or failover would end them. */
  const endSessions = (on: Target = target) =>
    queryStore(
      on,
      sql`select pg_terminate_backend(pid) from pg_stat_activity
    where datname = current_database() and pid <> pg_backend_pid() and application_name like 'cis-contact/%'`,
    );
  const sessionsWaiting = async (condition: SQL) =>
    (
      await queryStore<{ n: number }>(
        target,
        sql`select count(*)::int as n from pg_stat_activity
    where datname = current_database() and pid <> pg_backend_pid() and application_name like 'cis-contact/%' and ${condition}`,
      )
    )[0]!.n > 0;
  /**
   * Cuts a reader's connection part-way: once it is under way, the reader is
   * stopped until the server is blocked writing to it — it has more to send
   * than the connection holds — and then its session is ended.
   */
  const cutPartWay = async (started: Started, underWay: () => boolean | Promise<boolean>) => {
    await until('the command to get under way', underWay, started);
    started.child.kill('SIGSTOP');
    await until('the server to wait on the stopped reader', () => sessionsWaiting(sql`wait_event = 'ClientWrite'`));
    await endSessions();
    started.child.kill('SIGCONT');
    return started.exited;
  };
  const READER_WORDS =
    /; nothing in the store changed \[database-unreachable\]\n {2}run it again once the server is back\n$/;
  const WRITER_WORDS = /what was committed stays|internal error|this is a bug|\n\s+at /;
  const partials = () => readdirSync(cwd).filter((f) => f.endsWith('.partial'));

  it('is database-unreachable, exit 3, saying what was committed and to run it again; the re-run completes it exactly', async () => {
    const fresh = await loadedTarget();
    try {
      const started = startCli(
        ['import', join(data, 'contacts.csv')],
        { ...fresh.env, CIS_CONTACT_BATCH_ROWS: '100' },
        { cwd },
      );
      await until('200 rows stored', async () => (await storedCounts(fresh)).contacts >= 200, started);
      await endSessions(fresh);
      const lost = await started.exited;
      expect(lost.code, lost.stderr).toBe(3);
      expect(lost.stderr).toMatch(/lost the connection to the PostgreSQL server at .* \[database-unreachable\]/);
      expect(lost.stderr).toMatch(
        /the first \d+ rows of .*contacts\.csv were committed before it; run the same command again once it is back/,
      );
      expect(lost.stderr).not.toMatch(/internal error|this is a bug|\n\s+at /);
      const partial = (await storedCounts(fresh)).contacts;
      expect(partial).toBeGreaterThanOrEqual(200);
      expect(partial).toBeLessThan(ROWS);
      await expectRerunCompletes(fresh, { file: join(data, 'contacts.csv'), rows: ROWS, partial, cwd });
    } finally {
      await fresh.dispose();
    }
  });

  it('an import cut while its COPY is still being written is database-unreachable too, exit 3, no stack trace; the re-run stores every row once', async () => {
    const fresh = await loadedTarget();
    // One batch of far more than a connection's buffers hold (a send buffer grows to 4 MB): the big log's contacts.
    const COPY_ROWS = BIG_ROWS;
    const file = await bigLog();
    // The first contact of the COPY waits on a lock held here, so the import is cut with most of its batch unsent.
    const LOCK = 73_120_804;
    const holder = postgres(fresh.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
    try {
      await holder`select pg_advisory_lock(${LOCK})`;
      await holder.unsafe(`create function test_hold_contacts() returns trigger language plpgsql set search_path = pg_catalog
        as $$ begin perform pg_advisory_xact_lock(${LOCK}); return new; end $$;
        create trigger test_hold before insert on public.contacts for each row execute function test_hold_contacts()`);
      const started = startCli(['import', file], { ...fresh.env, CIS_CONTACT_BATCH_ROWS: String(COPY_ROWS) }, { cwd });
      await until(
        'the COPY to wait on the lock',
        async () =>
          (
            await holder`select count(*)::int as n from pg_stat_activity
        where datname = current_database() and application_name like 'cis-contact/%' and wait_event_type = 'Lock'`
          )[0]!.n > 0,
        started,
      );
      await holder`select pg_terminate_backend(pid) from pg_stat_activity
        where datname = current_database() and pid <> pg_backend_pid() and application_name like 'cis-contact/%'`;
      const lost = await started.exited;
      expect(lost.code, lost.stderr).toBe(3);
      expect(lost.stderr).toMatch(/lost the connection to the PostgreSQL server at .* \[database-unreachable\]/);
      expect(lost.stderr).not.toMatch(/internal error|this is a bug|\n\s+at /);
      await holder.unsafe('drop trigger test_hold on public.contacts; drop function test_hold_contacts()');
      await holder`select pg_advisory_unlock(${LOCK})`;
      expect((await storedCounts(fresh)).contacts).toBe(0);
      const rerun = await runCli(['--json', 'import', file], fresh.env, { cwd });
      expect(rerun.json).toMatchObject({ rowsRead: COPY_ROWS, rowsRejected: 0, rowsAccepted: COPY_ROWS });
      expect((await runCli(['--json', 'verify'], fresh.env, { cwd })).json).toMatchObject({
        intact: true,
        checked: COPY_ROWS,
        firstSeq: 1,
        lastSeq: COPY_ROWS,
      });
    } finally {
      await holder.end();
      await fresh.dispose();
    }
  });

  describe('reading more than the connection holds', () => {
    /**
     * A reader is cut once the server is blocked writing to it, so the store
     * holds far more than a connection's buffers: the big log, imported whole
     * once.
     */
    const READ_ROWS = BIG_ROWS;
    beforeAll(async () => {
      const filled = await runCli(['--json', 'import', await bigLog()], target.env, { cwd });
      expect(filled.json, filled.stderr).toMatchObject({ rowsAccepted: READ_ROWS });
    });

    it("an export to --out cut part-way says it is incomplete in a reader's words, exit 3, and leaves no file, not even a temporary one", async () => {
      const out = join(cwd, 'cut.jsonl');
      const started = startCli(['export', '--format', 'jsonl', '--out', out], target.env, { cwd });
      const lost = await cutPartWay(started, () => partials().some((f) => statSync(join(cwd, f)).size > 0));
      expect(lost.code, lost.stderr).toBe(3);
      const [, written, total] =
        /the export is incomplete: (\d+) of (\d+) entries written, none kept: \S*cut\.jsonl left as it was/.exec(
          lost.stderr,
        ) ?? [];
      expect(Number(total), lost.stderr).toBe(READ_ROWS);
      expect(Number(written)).toBeGreaterThan(0);
      expect(Number(written)).toBeLessThan(READ_ROWS);
      expect(lost.stderr).toMatch(
        /lost the connection to the PostgreSQL server at .* \(\w+\): the export is incomplete/,
      );
      expect(lost.stderr).toMatch(READER_WORDS);
      expect(lost.stderr).not.toMatch(WRITER_WORDS);
      expect(existsSync(out)).toBe(false);
      expect(partials()).toEqual([]);
    });

    it('an export to standard output cut part-way says on stderr it is incomplete, exit 3: what came out is whole lines and no manifest', async () => {
      const started = startCli(['export', '--format', 'jsonl'], target.env, { cwd, stdout: true });
      const lost = await cutPartWay(started, () => started.stdout().length > 0);
      expect(lost.code, lost.stderr).toBe(3);
      const [, written, total] =
        /the export is incomplete: (\d+) of (\d+) entries written, with no manifest: what was written will not verify/.exec(
          lost.stderr,
        ) ?? [];
      expect(Number(total), lost.stderr).toBe(READ_ROWS);
      expect(Number(written)).toBeGreaterThan(0);
      expect(Number(written)).toBeLessThan(READ_ROWS);
      const lines = lost.stdout.split('\n');
      expect(lines.pop()).toBe('');
      expect(lines).toHaveLength(Number(written));
      expect(lines.at(-1)).not.toContain('manifest');
      expect(lost.stderr).toMatch(READER_WORDS);
      expect(lost.stderr).not.toMatch(WRITER_WORDS);
    });

    it('a verify cut part-way says how many entries it checked and that it reached no verdict, exit 3', async () => {
      const started = startCli(['verify'], target.env, { cwd, stdout: true });
      // Under way: the server is writing the entries' canonical text out.
      const lost = await cutPartWay(started, () =>
        sessionsWaiting(sql`state = 'active' and query like '%"authentication":%'`),
      );
      expect(lost.code, lost.stderr).toBe(3);
      const [, checked] = /the verify is incomplete: (\d+) entries checked, no verdict reached/.exec(lost.stderr) ?? [];
      expect(Number(checked), lost.stderr).toBeGreaterThan(0);
      expect(Number(checked)).toBeLessThan(READ_ROWS);
      expect(lost.stdout).toBe('');
      expect(lost.stderr).toMatch(READER_WORDS);
      expect(lost.stderr).not.toMatch(WRITER_WORDS);
    });
  });

  it('a history whose connection goes says nothing was shown and nothing in the store changed, exit 3', async () => {
    // The contacts held by another session: the history waits for them, and its session is ended while it does.
    const holder = postgres(target.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
    try {
      const lost = await holder.begin(async (tx) => {
        await tx`lock table public.contacts in access exclusive mode`;
        const started = startCli(['history', GENERATED_UTR, '--all'], target.env, { cwd, stdout: true });
        await until(
          'the history to wait for the contacts',
          () => sessionsWaiting(sql`wait_event_type = 'Lock'`),
          started,
        );
        await endSessions();
        return started.exited;
      });
      expect(lost.code, lost.stderr).toBe(3);
      expect(lost.stdout).toBe('');
      expect(lost.stderr).toMatch(
        /lost the connection to the PostgreSQL server at .* \(\w+\): no history was shown; nothing in the store changed/,
      );
      expect(lost.stderr).toMatch(READER_WORDS);
      expect(lost.stderr).not.toMatch(WRITER_WORDS);
    } finally {
      await holder.end();
    }
  });

  it('a run whose connection goes names the lines recorded, the line under way and the --from-line that completes it, lines without --ref stored once', async () => {
    // A store of its own: the run's contacts are not the readers'.
    const fresh = await loadedTarget();
    try {
      const LINES = 120;
      const script = join(cwd, 'many.txt');
      writeFileSync(
        script,
        Array.from(
          { length: LINES },
          (_, i) =>
            `--utr ${GENERATED_UTR} --operator 1000001 --channel internal-enquiry --subject Letter --action 'Run line ${i + 1}'`,
        ).join('\n'),
      );
      const started = startCli(['run', script], fresh.env, { cwd, stdout: true });
      await until('line 30 to be recorded', () => started.stdout().includes('line 30: '), started);
      // Ended again each time it reconnects, until it gives up.
      let exited = false;
      void started.exited.then(() => (exited = true));
      while (!exited) await endSessions(fresh);
      const lost = await started.exited;
      expect(lost.code, lost.stderr).toBe(3);
      const [, first, last, during] =
        /lost the connection to the PostgreSQL server at .* \(\w+\): lines (\d+)–(\d+) recorded(?:; the connection went during line (\d+), which may or may not have been recorded)? \[database-unreachable\]/.exec(
          lost.stderr,
        ) ?? [];
      expect(first, lost.stderr).toBe('1');
      expect(Number(last)).toBeGreaterThanOrEqual(30);
      expect(Number(last)).toBeLessThan(LINES);
      if (during) expect(Number(during)).toBe(Number(last) + 1);
      const from = Number(during ?? Number(last) + 1);
      expect(lost.stderr).toContain(
        `once the server is back, complete the script with cis-contact run ${script} --from-line ${from}: nothing is stored twice`,
      );
      expect(lost.stderr).not.toMatch(WRITER_WORDS);
      const stored = async () =>
        (
          await queryStore<{ n: number; distinct: number; last: number | null }>(
            fresh,
            sql`
      select count(*)::int as n, count(distinct e.action_taken)::int as distinct, max(substring(e.action_taken from 10)::int) as last
      from public.contacts c join public.enquiries e on e.contact_seq = c.seq where e.action_taken like 'Run line %'`,
          )
        )[0]!;
      // The line under way may have been committed as the connection went, its answer lost: the store then holds it too.
      const held = await stored();
      expect(
        held.n === Number(last) || (during !== undefined && held.n === Number(last) + 1),
        `${held.n} stored; ${lost.stderr}`,
      ).toBe(true);
      expect(held.last).toBe(held.n);
      const again = await runCli(['--json', 'run', script, '--from-line', String(from)], fresh.env, { cwd });
      const committed = held.n - (from - 1);
      expect(again.json, again.stderr).toMatchObject({
        lines: LINES - from + 1,
        recorded: LINES - held.n,
        failed: committed,
      });
      // The line that was committed as the connection went is found, not stored again.
      if (committed === 1) expect(again.json.results[0].errors[0].code).toBe('same-as-recorded');
      expect(await stored()).toEqual({ n: LINES, distinct: LINES, last: LINES });
    } finally {
      await fresh.dispose();
    }
  });
});
