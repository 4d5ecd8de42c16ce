/**
 * The store survives what users do to processes and disks: a paused holder,
 * kill -9, SIGTERM, a full disk, a mistyped data directory, a closed pipe,
 * and a lost store brought back from its export.
 */

import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  statfsSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SQL, sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DISK_RESERVE_BYTES } from '../../src/storage/disk-space.js';
import { BIN, type Started, runCli, sleep, spawnCli, startCli } from '../support/cli.js';
import { until, untilCommitted } from '../support/events.js';
import { DRIVERS, type Target, copyOf, createTarget, queryStore, storedCounts } from '../support/targets.js';
// @ts-expect-error plain JavaScript shared with the benchmark
import { generate } from '../bench/generate.mjs';
import { scratchFolder } from '../support/scratch.js';

/**
 * Rows of the generated log. What is tested is that an import stopped part-way
 * (paused, killed, signalled, cut off) loses nothing committed: imported in
 * batches of 100 or 500 and stopped once 500 or 1,000 rows are committed, it
 * is stopped with most of the file still to come (each test asserts it: some
 * rows stored, not all), and the re-run has the rest to do.
 */
const ROWS = 10_000;
/** The first record of the generated registry. */
const GENERATED_UTR = '2000100000';
let data: string;

beforeAll(async () => {
  data = scratchFolder('cis-contact-safety-data-');
  await generate(data, ROWS);
});
afterAll(() => rmSync(data, { recursive: true, force: true }));

/** Per driver, a store with the generated registry and operators loaded, made once and copied for each use. */
const loaded = new Map<'pglite' | 'postgres', Promise<Target>>();
afterAll(async () => {
  for (const target of loaded.values()) await (await target).dispose();
});

/** A fresh store with the generated registry and operators loaded. */
async function loadedTarget(driver: 'pglite' | 'postgres'): Promise<Target> {
  if (!loaded.has(driver))
    loaded.set(
      driver,
      (async () => {
        const target = await createTarget(driver);
        await runCli(['registry', 'import', join(data, 'registry.csv'), '--rejects', '/dev/null'], target.env);
        await runCli(['operators', 'import', join(data, 'operators.csv'), '--rejects', '/dev/null'], target.env);
        return target;
      })(),
    );
  return copyOf(await loaded.get(driver)!);
}

const RECORD = [
  'record',
  '--utr',
  '1955839661',
  '--operator',
  '1000001',
  '--channel',
  'internal-enquiry',
  '--subject',
  'Letter',
  '--action',
  'Recorded while the store was busy',
];

async function recordable(target: Target): Promise<void> {
  // The generated registry has no 1955839661: add it, so RECORD names a known record.
  const file = join(tmpdir(), `cis-contact-one-record-${process.pid}.csv`);
  writeFileSync(file, 'utr,name,kind,partner_of\n1955839661,Brick & Mortar Contractors Ltd,contractor,\n');
  expect((await runCli(['registry', 'import', file, '--rejects', '/dev/null'], target.env)).code).toBe(0);
}

describe('the embedded store is held by a live process, however long it is paused', () => {
  let target: Target;
  let cwd: string;
  beforeAll(async () => {
    target = await loadedTarget('pglite');
    await recordable(target);
    cwd = scratchFolder('cis-contact-safety-');
  });
  afterAll(() => target?.dispose());

  it('a record started while an import is paused waits past any timeout and writes after the import', async () => {
    const imported = startCli(
      ['import', join(data, 'contacts.csv'), '--progress', 'json'],
      { ...target.env, CIS_CONTACT_BATCH_ROWS: '500' },
      { cwd },
    );
    // Paused once it has committed a batch: it holds the store, part-way through the file.
    await untilCommitted(imported, 500);
    imported.child.kill('SIGSTOP');
    const recorded = startCli(['--json', ...RECORD], target.env, { cwd });
    let recordDone = false;
    void recorded.exited.then(() => (recordDone = true));
    await until(
      'the record to say it is waiting',
      () => recorded.stderr().includes('waiting for another cis-contact process'),
      recorded,
    );
    // The one wait on the clock, since time is what is tested: the old lock was declared stale after 10 s
    // without an update, and a record waiting this long past that must still be waiting.
    await sleep(13_000);
    expect(recordDone).toBe(false);
    imported.child.kill('SIGCONT');
    const [i, r] = await Promise.all([imported.exited, recorded.exited]);
    expect(i.code).toBe(0);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('waiting for another cis-contact process');
    const counts = await storedCounts(target);
    expect(counts.contacts).toBe(ROWS + 1);
    const [last] = await queryStore<{ utr: string }>(
      target,
      sql`select utr from public.contacts order by seq desc limit 1`,
    );
    expect(last!.utr).toBe('1955839661');
    const verify = await runCli(['verify'], target.env, { cwd });
    expect(verify.code).toBe(0);
  });

  it('a holder killed with -9 frees the store at once, and a re-run completes the import exactly', async () => {
    const before = (await storedCounts(target)).contacts;
    const fresh = join(cwd, 'fresh.csv');
    // The same rows on another day: new contacts.
    writeFileSync(
      fresh,
      readFileSync(join(data, 'contacts.csv'), 'utf8').replace(
        /,(20\d\d)-(\d\d)-(\d\d),authenticated,/g,
        ',$1-$2-$3,waived,',
      ),
    );
    const killed = startCli(
      ['import', fresh, '--progress', 'json'],
      { ...target.env, CIS_CONTACT_BATCH_ROWS: '500' },
      { cwd },
    );
    await untilCommitted(killed, 1000);
    killed.child.kill('SIGKILL');
    await killed.exited;
    // Freed at once: the record never had to wait (it says so when it does), whatever the machine's speed.
    const r = await runCli(['--json', ...RECORD, '--again'], target.env, { cwd });
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('waiting');
    const partial = (await storedCounts(target)).contacts - before - 1;
    expect(partial).toBeGreaterThanOrEqual(1000);
    expect(partial).toBeLessThan(ROWS);
    const rerun = await runCli(['--json', 'import', fresh], target.env, { cwd });
    expect(rerun.code).toBe(0);
    expect(rerun.json).toMatchObject({
      rowsRead: ROWS,
      rowsRejected: 0,
      rowsDuplicate: partial,
      rowsAccepted: ROWS - partial,
    });
    const after = await storedCounts(target);
    expect(after.contacts).toBe(before + ROWS + 1);
    expect(after.keys).toBe(after.contacts);
    expect((await runCli(['verify'], target.env, { cwd })).code).toBe(0);
  });
});

describe.each(DRIVERS)('signals and reading commands on %s', (driver) => {
  let target: Target;
  let cwd: string;
  beforeAll(async () => {
    target = await loadedTarget(driver);
    cwd = scratchFolder('cis-contact-signals-');
  });
  afterAll(() => target?.dispose());

  it('SIGTERM mid-import commits or rolls back the batch in hand, exits 143, and a re-run gives the exact set', async () => {
    const started = startCli(
      ['import', join(data, 'contacts.csv'), '--progress', 'json'],
      { ...target.env, CIS_CONTACT_BATCH_ROWS: '100' },
      { cwd },
    );
    // Stopped once 1,000 rows are committed: the server is asked from another connection; the embedded
    // store is held by the import, which reports each committed batch.
    if (driver === 'postgres')
      await until('1,000 rows stored', async () => (await storedCounts(target)).contacts >= 1000, started);
    else await untilCommitted(started, 1000);
    started.child.kill('SIGTERM');
    const stopped = await started.exited;
    expect(stopped.code).toBe(143);
    expect(stopped.stderr).toMatch(/Interrupted after \d+ rows, all of them committed\. Run the same command again/);
    const partial = (await storedCounts(target)).contacts;
    expect(partial).toBeGreaterThanOrEqual(1000);
    expect(partial).toBeLessThan(ROWS);
    const rerun = await runCli(['--json', 'import', join(data, 'contacts.csv')], target.env, { cwd });
    expect(rerun.json).toMatchObject({
      rowsRead: ROWS,
      rowsRejected: 0,
      rowsDuplicate: partial,
      rowsAccepted: ROWS - partial,
    });
    const after = await storedCounts(target);
    expect(after).toMatchObject({ contacts: ROWS, keys: ROWS, max: ROWS });
    expect((await runCli(['verify'], target.env, { cwd })).code).toBe(0);
  });

  it('a closed pipe ends a command quietly', async () => {
    const env = { ...process.env, ...target.env, NO_COLOR: '1' };
    for (const command of ['export --format jsonl', `--json history ${GENERATED_UTR} --all`, 'help import']) {
      const r = spawnSync(
        'bash',
        ['-c', `node ${BIN} ${command} | head -c 10 > /dev/null; echo "exit \${PIPESTATUS[0]}" >&2`],
        { env, encoding: 'utf8', timeout: 90_000 },
      );
      expect(r.stderr, command).toBe('exit 0\n');
    }
  });

  it('SIGTERM in the middle of an export (and on a server, of a verify) stops it with exit 143, saying so, and leaves the server no session', async () => {
    const out = join(cwd, 'stopped.jsonl');
    const partial = () => readdirSync(cwd).find((f) => f.startsWith('.stopped.jsonl.') && f.endsWith('.partial'));
    const reading = {
      // Its temporary file written to: the export is under way.
      export: async () => partial() !== undefined && statSync(join(cwd, partial()!)).size > 0,
      // The server is asked for the canonical text: verify is under way.
      verify: async () =>
        (
          await queryStore<{ n: number }>(
            target,
            sql`select count(*)::int as n from pg_stat_activity
        where datname = current_database() and state = 'active' and query like '%"authentication":%' and pid <> pg_backend_pid()`,
          )
        )[0]!.n > 0,
    };
    const commands = driver === 'postgres' ? (['export', 'verify'] as const) : (['export'] as const);
    for (const command of commands) {
      const started = startCli(
        command === 'export' ? ['export', '--format', 'jsonl', '--out', out] : ['verify'],
        target.env,
        { cwd },
      );
      await until(`${command} to get under way`, reading[command], started);
      started.child.kill('SIGTERM');
      const stopped = await started.exited;
      // A reader so quick that it finished first is fine too; a stopped one says so.
      if (stopped.code === 0) continue;
      expect(stopped.code, stopped.stderr).toBe(143);
      expect(stopped.stderr).toMatch(
        command === 'export'
          ? /export stopped after \d+ of \d+ entries, none kept: \S*stopped\.jsonl left as it was/
          : /verify stopped after \d+ entries/,
      );
      if (command === 'export') {
        expect(existsSync(out)).toBe(false);
        expect(partial()).toBeUndefined();
      }
    }
    if (driver === 'postgres') {
      // The server ends a session once it reads the closed connection, in its own time: asked until it has.
      await until(
        'the server to hold no cis-contact session',
        async () =>
          (
            await queryStore<{ n: number }>(
              target,
              sql`
        select count(*)::int as n from pg_stat_activity where datname = current_database() and application_name like 'cis-contact/%' and pid <> pg_backend_pid()`,
            )
          )[0]!.n === 0,
      );
    }
  });

  it('history, export and verify on a place with no store exit 2 and create nothing', async () => {
    const empty = await createTarget(driver, false);
    const missing = join(cwd, 'cis-contcat');
    const env = driver === 'pglite' ? { CIS_CONTACT_DATA_DIR: missing, DATABASE_URL: '' } : empty.env;
    try {
      for (const args of [['verify'], ['export', '--format', 'jsonl'], ['history', '1955839661']]) {
        const r = await runCli(args, env, { cwd });
        expect(r.code, args[0]).toBe(2);
        expect(r.stderr).toMatch(/no cis-contact store at .*\[no-store\]/);
        expect(r.stdout).toBe('');
      }
      if (driver === 'pglite') expect(existsSync(missing)).toBe(false);
      else {
        const [found] = await queryStore<{ found: boolean }>(
          empty,
          sql`select to_regclass('public.contacts') is not null as found`,
        );
        expect(found!.found).toBe(false);
      }
    } finally {
      await empty.dispose();
    }
  });
});

describe.skipIf(!DRIVERS.includes('postgres'))('a PostgreSQL server lost mid-command', () => {
  /** The store the readers read. */
  let target: Target;
  let cwd: string;
  beforeAll(async () => {
    cwd = scratchFolder('cis-contact-lost-');
    target = await loadedTarget('postgres');
  });
  afterAll(() => target?.dispose());

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
    const fresh = await loadedTarget('postgres');
    try {
      const started = startCli(
        ['import', join(data, 'contacts.csv')],
        { ...fresh.env, CIS_CONTACT_BATCH_ROWS: '100' },
        { cwd },
      );
      await until('1,000 rows stored', async () => (await storedCounts(fresh)).contacts >= 1000, started);
      await endSessions(fresh);
      const lost = await started.exited;
      expect(lost.code, lost.stderr).toBe(3);
      expect(lost.stderr).toMatch(/lost the connection to the PostgreSQL server at .* \[database-unreachable\]/);
      expect(lost.stderr).toMatch(
        /the first \d+ rows of .*contacts\.csv were committed before it; run the same command again once it is back/,
      );
      expect(lost.stderr).not.toMatch(/internal error|this is a bug|\n\s+at /);
      const partial = (await storedCounts(fresh)).contacts;
      expect(partial).toBeGreaterThanOrEqual(1000);
      expect(partial).toBeLessThan(ROWS);
      const rerun = await runCli(['--json', 'import', join(data, 'contacts.csv')], fresh.env, { cwd });
      expect(rerun.json).toMatchObject({
        rowsRead: ROWS,
        rowsRejected: 0,
        rowsDuplicate: partial,
        rowsAccepted: ROWS - partial,
      });
      expect(await storedCounts(fresh)).toMatchObject({ contacts: ROWS, keys: ROWS, max: ROWS });
      expect((await runCli(['verify'], fresh.env, { cwd })).code).toBe(0);
    } finally {
      await fresh.dispose();
    }
  });

  it('an import cut while its COPY is still being written is database-unreachable too, exit 3, no stack trace; the re-run stores every row once', async () => {
    const fresh = await loadedTarget('postgres');
    // One batch of far more than a connection's buffers hold (a send buffer grows to 4 MB): 25,000 contacts.
    const COPY_ROWS = 25_000;
    const file = join(cwd, 'one-batch.csv');
    const batch = scratchFolder('cis-contact-one-batch-');
    await generate(batch, COPY_ROWS);
    renameSync(join(batch, 'contacts.csv'), file);
    rmSync(batch, { recursive: true, force: true });
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
      expect(await storedCounts(fresh)).toMatchObject({ contacts: COPY_ROWS, keys: COPY_ROWS, max: COPY_ROWS });
      expect((await runCli(['verify'], fresh.env, { cwd })).code).toBe(0);
    } finally {
      await holder.end();
      await fresh.dispose();
    }
  });

  describe('reading more than the connection holds', () => {
    /**
     * A reader is cut once the server is blocked writing to it, so the store
     * holds far more than a connection's buffers (up to tens of megabytes on
     * loopback, as they grow): 60,000 contacts, imported whole once.
     */
    const READ_ROWS = 60_000;
    beforeAll(async () => {
      const bigData = scratchFolder('cis-contact-lost-data-');
      try {
        await generate(bigData, READ_ROWS);
        const filled = await runCli(['--json', 'import', join(bigData, 'contacts.csv')], target.env, { cwd });
        expect(filled.json).toMatchObject({ rowsAccepted: READ_ROWS });
      } finally {
        rmSync(bigData, { recursive: true, force: true });
      }
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
    const fresh = await loadedTarget('postgres');
    try {
      const LINES = 400;
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
      await until('line 100 to be recorded', () => started.stdout().includes('line 100: '), started);
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
      expect(Number(last)).toBeGreaterThanOrEqual(100);
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

describe('--version', () => {
  it('prints the package version', async () => {
    // The binary itself: bin/ and the package it ships in.
    const r = await spawnCli(['--version'], {});
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(
      JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version,
    );
  });
});

describe('db restore: an export brought back into an empty store', () => {
  // What is tested is that the history comes back whole or not at all: a smaller log of its own does.
  const RESTORE_ROWS = 2_000;
  let restoreData: string;
  let source: Target;
  let cwd: string;
  let head: string;
  beforeAll(async () => {
    cwd = scratchFolder('cis-contact-restore-');
    restoreData = join(cwd, 'data');
    mkdirSync(restoreData);
    await generate(restoreData, RESTORE_ROWS);
    source = await createTarget('pglite');
    for (const what of ['registry', 'operators']) {
      const loaded = await runCli(
        [what, 'import', join(restoreData, `${what}.csv`), '--rejects', '/dev/null'],
        source.env,
      );
      expect(loaded.code, what).toBe(0);
    }
    await runCli(['import', join(restoreData, 'contacts.csv')], { ...source.env }, { cwd });
    const exported = await runCli(
      ['--json', 'export', '--format', 'jsonl', '--out', join(cwd, 'backup.jsonl')],
      source.env,
      { cwd },
    );
    expect(exported.code).toBe(0);
    head = exported.json.manifest.headHash;
  });
  afterAll(async () => {
    await source?.dispose();
    rmSync(cwd, { recursive: true, force: true });
  });

  const restore = (target: Target, file: string) =>
    runCli(
      [
        '--json',
        'db',
        'restore',
        file,
        '--registry',
        join(restoreData, 'registry.csv'),
        '--operators',
        join(restoreData, 'operators.csv'),
      ],
      target.env,
      { cwd },
    );

  it.each(DRIVERS)(
    'into %s: the same head hash, and re-importing the original file finds every contact stored',
    async (driver) => {
      const target = await createTarget(driver);
      try {
        const r = await restore(target, join(cwd, 'backup.jsonl'));
        expect(r.code).toBe(0);
        // Every entry was recorded on the embedded store, whose one user is postgres: the summary says so.
        expect(r.json).toMatchObject({
          restored: RESTORE_ROWS,
          firstSeq: 1,
          lastSeq: RESTORE_ROWS,
          headHash: head,
          recordedBy: { postgres: RESTORE_ROWS },
        });
        const verify = await runCli(['--json', 'verify'], target.env, { cwd });
        expect(verify.json).toMatchObject({ intact: true, checked: RESTORE_ROWS, headHash: head });
        const again = await runCli(['--json', 'import', join(restoreData, 'contacts.csv')], target.env, { cwd });
        expect(again.json).toMatchObject({ rowsDuplicate: RESTORE_ROWS, contactsWritten: 0 });
        // The next contact chains on from the restored head.
        await recordable(target);
        expect((await runCli([...RECORD], target.env, { cwd })).code).toBe(0);
        expect((await runCli(['--json', 'verify'], target.env, { cwd })).json).toMatchObject({
          intact: true,
          checked: RESTORE_ROWS + 1,
        });
      } finally {
        await target.dispose();
      }
    },
  );

  it.each(DRIVERS)(
    'into %s: a cut, altered or filtered export, or a store that is not empty, writes nothing',
    async (driver) => {
      const lines = readFileSync(join(cwd, 'backup.jsonl'), 'utf8').trimEnd().split('\n');
      writeFileSync(join(cwd, 'cut.jsonl'), `${lines.slice(0, -11).join('\n')}\n`);
      writeFileSync(
        join(cwd, 'altered.jsonl'),
        `${lines.map((l, i) => (i === 100 ? l.replace(/row \d+/, 'row changed') : l)).join('\n')}\n`,
      );
      execFileSync(
        process.execPath,
        [BIN, 'export', '--format', 'jsonl', '--from', '2015-01-01', '--out', join(cwd, 'part.jsonl'), '--force'],
        { env: { ...process.env, ...source.env }, stdio: 'pipe' },
      );
      const target = await createTarget(driver);
      try {
        for (const [file, reason] of [
          ['cut.jsonl', /no manifest/],
          ['altered.jsonl', /entry 101 .* does not match its hash/],
          ['part.jsonl', /entry \d+ is missing|only part of the history/],
        ] as const) {
          const r = await restore(target, join(cwd, file));
          expect(r.code, file).toBe(2);
          expect(r.stderr).toMatch(reason);
          expect(r.stderr).toContain('[export-not-intact]');
          expect((await storedCounts(target)).contacts).toBe(0);
        }
        expect((await restore(target, join(cwd, 'backup.jsonl'))).code).toBe(0);
        const twice = await restore(target, join(cwd, 'backup.jsonl'));
        expect(twice.code).toBe(2);
        expect(twice.stderr).toContain('[store-not-empty]');
        expect((await storedCounts(target)).contacts).toBe(RESTORE_ROWS);
      } finally {
        await target.dispose();
      }
    },
  );
});

/** A small filesystem of our own: needs root to mount. */
function mountTmpfs(dir: string, size: string): boolean {
  mkdirSync(dir, { recursive: true });
  return spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]).status === 0;
}

describe('a full disk under the embedded store', () => {
  const mountPoint = join(tmpdir(), `cis-contact-small-disk-${process.pid}`);
  let mounted = false;
  beforeAll(() => {
    mounted = process.getuid?.() === 0 && mountTmpfs(mountPoint, '300m');
  });
  afterAll(() => {
    if (mounted) spawnSync('umount', [mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  });

  it('stops the import within seconds with exit 3 and what to do; after space is freed, the store opens and a re-run completes', async (context) => {
    context.skip(!mounted, 'mounting a small tmpfs needs root; this test runs where it can');
    const env = { CIS_CONTACT_DATA_DIR: join(mountPoint, 'store'), DATABASE_URL: '' };
    for (const what of ['registry', 'operators']) {
      const reference = await runCli([what, 'import', join(data, `${what}.csv`), '--rejects', '/dev/null'], env);
      expect(reference.code, what).toBe(0);
    }
    // The disk filled to within a megabyte of the reserve the store keeps free: the log (about 24 MB
    // written into the store) is far more than that.
    const { bavail, bsize } = statfsSync(mountPoint);
    writeFileSync(join(mountPoint, 'ballast'), Buffer.alloc(bavail * bsize - DISK_RESERVE_BYTES - 1024 * 1024));
    const log = join(data, 'contacts.csv');
    const started = Date.now();
    const full = await runCli(['import', log], env, { cwd: mountPoint });
    expect(full.code).toBe(3);
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(full.stderr).toMatch(new RegExp(`no space left on ${mountPoint}/store`));
    expect(full.stderr).toMatch(/the first \d+ rows of .* were committed before it|nothing of .* was committed/);
    expect(full.stderr).toContain('run the same command again');
    expect(spawnSync('mount', ['-o', 'remount,size=2g', mountPoint]).status).toBe(0);
    const verify = await runCli(['--json', 'verify'], env);
    expect(verify.json.intact).toBe(true);
    const rerun = await runCli(['--json', 'import', log], env, { cwd: mountPoint });
    expect(rerun.code).toBe(0);
    expect(rerun.json.rowsDuplicate).toBe(verify.json.checked);
    expect((await runCli(['--json', 'verify'], env)).json).toMatchObject({ intact: true, checked: ROWS });
  });
});
