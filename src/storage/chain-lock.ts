/**
 * The locks that serialise writers: the chain head (every writer of contacts
 * holds it for its transaction) and the migrations. Each is the one row of a
 * table locked FOR UPDATE, which needs UPDATE on it: only the roles that write
 * contacts may lock the chain, only the store's owner the migrations
 * (drizzle/0008), so no reader can stop a writer. A writer waits with a
 * bound (`lock_timeout`); while it waits it says who holds the lock, and a
 * signal ends the wait at once, with nothing of the transaction stored.
 */

import { sql } from 'drizzle-orm';
import { interruptedError, storageError } from '../domain/errors.js';
import { type Database, type Executor, type Transaction, rows } from './database.js';
import { driverError } from './database-errors.js';

/** How long a writer waits for the chain unless told otherwise (`--chain-wait`, CIS_CONTACT_CHAIN_WAIT). */
export const DEFAULT_CHAIN_WAIT_SECONDS = 60;

/** How a writer waits for the chain. */
export interface ChainWait {
  /** The longest wait, in seconds. */
  seconds: number;
  /** Ends the wait: the transaction is rolled back and nothing of it stored. */
  signal?: AbortSignal;
  /** Told who holds the chain, after a few seconds of waiting, and again while it waits. */
  onWait?: (message: string) => void;
  /**
   * Another connection to the store (a server's pool), to ask who holds the
   * chain and to cancel the waiting statement; without it (the embedded store,
   * one connection, where no one else can hold it) the wait is only bounded.
   */
  monitor?: Database;
  /** Where the store is, for messages. */
  location?: string;
  /** Milliseconds of waiting before the holder is named (then every 10 times that). */
  sayAfterMs?: number;
}

const LOCK_NOT_AVAILABLE = '55P03';
const QUERY_CANCELED = '57014';

const TABLES = { chain: 'public.chain_head_lock', migrations: 'public.migration_lock' } as const;
const WHAT = { chain: 'the chain', migrations: 'the migrations lock' } as const;
type Lock = keyof typeof TABLES;

/** Who holds what blocks backend `pid`: login, application, since when (a login that may not see it is told so). */
async function holders(db: Database, pid: number): Promise<string> {
  const found = await rows<{ pid: number; login: string | null; application: string | null; since: string | null }>(
    db,
    sql`
    select h.pid, a.usename::text as login, a.application_name::text as application,
           pg_catalog.to_char(a.xact_start at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS "UTC"') as since
    from pg_catalog.unnest(pg_catalog.pg_blocking_pids(${pid})) as h(pid)
    left join pg_catalog.pg_stat_activity a on a.pid = h.pid`,
  );
  if (found.length === 0) return 'another session (gone by now)';
  return found
    .map(
      (h) =>
        `login ${h.login ?? 'unknown'} (application ${JSON.stringify(h.application ?? '')}, backend ${h.pid}, ${
          h.since ? `since ${h.since}` : 'since a time this login may not see'
        })`,
    )
    .join(', ');
}

async function lockRow(tx: Transaction, lock: Lock): Promise<void> {
  const [row] = await rows<{ held: boolean }>(tx, sql.raw(`select held from ${TABLES[lock]} for update`));
  if (!row) {
    throw storageError(
      'database-unavailable',
      { value: 'the store', detail: `${TABLES[lock]} has lost its one row, so ${WHAT[lock]} cannot be held` },
      'an administrator runs: insert into ' + TABLES[lock] + ' default values',
    );
  }
}

/**
 * Takes `lock` for the rest of the transaction `tx`, waiting at most
 * `wait.seconds`. Says who holds it while it waits; the signal or the bound
 * ends the wait with an error, and the transaction is rolled back.
 */
export async function holdLock(tx: Transaction, lock: Lock, wait: ChainWait): Promise<void> {
  const stopped = () =>
    interruptedError({
      value: 'the command',
      detail: `while waiting for ${WHAT[lock]}: nothing of what it was writing was stored`,
    });
  if (wait.signal?.aborted) throw stopped();
  const [me] = await rows<{ pid: number }>(
    tx,
    sql`
    select pg_catalog.pg_backend_pid() as pid, pg_catalog.set_config('lock_timeout', ${`${Math.round(wait.seconds * 1000)}ms`}, true)`,
  );
  const pid = me!.pid;
  const { monitor } = wait;
  let lastSaid = '';
  let timer: NodeJS.Timeout | undefined;
  // After 3 s, or sooner when the whole wait is shorter: a wait that gives up has named the holder first.
  const sayAfter = wait.sayAfterMs ?? Math.min(3000, wait.seconds * 500);
  const say = async () => {
    try {
      const who = await holders(monitor!, pid);
      if (who !== lastSaid)
        wait.onWait?.(
          `waiting for ${WHAT[lock]}, held by ${who}; waiting up to ${wait.seconds} s (--chain-wait), Ctrl-C stops`,
        );
      lastSaid = who;
    } catch {
      // Naming the holder is a courtesy: the wait goes on, bounded, whatever this query met.
    }
    timer = setTimeout(() => void say(), sayAfter * 10);
  };
  let cancelled = false;
  const cancel = () => {
    cancelled = true;
    // The login may cancel its own session's statement; a statement already finished ignores it.
    if (monitor) void monitor.execute(sql`select pg_catalog.pg_cancel_backend(${pid})`).catch(() => {});
  };
  if (monitor) timer = setTimeout(() => void say(), sayAfter);
  wait.signal?.addEventListener('abort', cancel, { once: true });
  try {
    await lockRow(tx, lock);
  } catch (error) {
    const code = driverError(error)?.code;
    // Cancelled by the signal's request (a statement_timeout's cancel is the administrator's, and says so itself).
    if (cancelled && code === QUERY_CANCELED) throw stopped();
    if (code === LOCK_NOT_AVAILABLE) {
      const who = monitor ? lastSaid || 'another session' : 'another session';
      throw storageError(
        'database-unavailable',
        {
          value: wait.location ?? 'the store',
          detail: `${WHAT[lock]} stayed held by ${who} for ${wait.seconds} s; nothing was stored`,
        },
        'run it again later, or wait longer with --chain-wait SECONDS; an administrator can end the holding session with pg_terminate_backend(backend)',
      );
    }
    throw error;
  } finally {
    clearTimeout(timer);
    wait.signal?.removeEventListener('abort', cancel);
  }
  if (cancelled) throw stopped();
}

/**
 * The migrations lock, before the store has its table (a store older than
 * drizzle/0008): the advisory lock of the versions before, then the table's
 * too if a migrator that went first has just made it.
 */
export async function holdMigrationsLock(tx: Transaction, wait: ChainWait): Promise<void> {
  if (!(await hasTable(tx, 'migrations'))) {
    await tx.execute(sql`select pg_catalog.pg_advisory_xact_lock(7201901)`);
    if (!(await hasTable(tx, 'migrations'))) return;
  }
  await holdLock(tx, 'migrations', wait);
}

async function hasTable(db: Executor, lock: Lock): Promise<boolean> {
  const [row] = await rows<{ found: boolean }>(
    db,
    sql`select pg_catalog.to_regclass(${TABLES[lock]}) is not null as found`,
  );
  return row!.found;
}
