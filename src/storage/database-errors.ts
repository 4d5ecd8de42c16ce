/** Telling a database that refused data from a database that failed. */

import { type Issue, issue } from '../domain/catalogue.js';
import { type CisError, inputError, storageError } from '../domain/errors.js';
import { CLIENT_SCHEMA_VERSION } from './client-version.js';

interface PgErrorLike {
  code?: string;
  message?: string;
  detail?: string;
  cause?: unknown;
}

/** The driver's own error: drizzle wraps it as `cause`. */
export function driverError(error: unknown): PgErrorLike | undefined {
  let e = error as PgErrorLike | undefined;
  for (let depth = 0; e && depth < 4; depth++) {
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return e;
    e = e.cause as PgErrorLike | undefined;
  }
  return undefined;
}

/**
 * A bulk write the database refused without saying why: postgres.js swallows
 * the server's error for a failed COPY (porsager/postgres#1173). Callers retry
 * contact by contact with plain INSERTs, which do carry the server's reason.
 */
export class BatchRefused extends Error {
  constructor(table: string) {
    super(`the database refused the COPY into ${table}`);
    this.name = 'BatchRefused';
  }
}

/** What the database raises for a write from a client of another schema version (drizzle/0006); its DETAIL is `store N, client M`. */
const OTHER_SCHEMA_VERSION = 'CC002';

/** This client is older than the store: it must not read or write it. */
export function clientBehindStore(location: string, storeVersion: number) {
  return storageError(
    'client-outdated',
    { value: location, limit: storeVersion, detail: String(CLIENT_SCHEMA_VERSION) },
    'upgrade cis-contact on this machine (every machine that writes to this store needs the version that migrated it)',
  );
}

/** The store is older than this client, which on a server only `db migrate` changes. */
export function storeBehindClient(location: string, storeVersion: number, adminRole?: string) {
  const who = adminRole ? `a login granted ${adminRole}` : 'its administrator';
  return storageError(
    'store-outdated',
    { value: location, limit: storeVersion, detail: String(CLIENT_SCHEMA_VERSION) },
    `nothing was read or written; ${who} runs cis-contact db migrate (upgrade every cis-contact that writes to it first, or those not yet upgraded are refused until they are)`,
  );
}

/** A writer whose session is another login than the one it asked for (a pooler that logs in as one user). */
export function loginNotOwn(location: string, asked: string, got: string) {
  return storageError(
    'login-not-own',
    { value: location, limit: asked, detail: got },
    'nothing was written; connect with your own login end to end (a connection pooler must pass each login through, e.g. PgBouncer with auth_query or an auth_file listing each user), since each contact is stamped with the login that wrote it',
  );
}

/** The store refused a write because the two versions differ: the store was migrated while this command ran, or it is ahead. */
function versionRefusal(error: PgErrorLike, location: string) {
  const store = Number(/store (\d+)/.exec(error.detail ?? '')?.[1] ?? Number.NaN);
  if (Number.isInteger(store) && store < CLIENT_SCHEMA_VERSION) return storeBehindClient(location, store);
  return clientBehindStore(location, Number.isInteger(store) ? store : CLIENT_SCHEMA_VERSION + 1);
}

/** What the database raises for a contact under a PID bound to other logins (drizzle/0004); its DETAIL is the PID. */
const BOUND_TO_OTHERS = 'CC001';

/**
 * The database's message when it refused the data itself (SQLSTATE classes 22
 * data exception and 23 integrity constraint violation, and a PID bound to
 * other logins); undefined otherwise.
 */
export function databaseRefusal(error: unknown): string | undefined {
  if (error instanceof BatchRefused) return error.message;
  const e = driverError(error);
  if (!e?.code || !(e.code.startsWith('22') || e.code.startsWith('23') || e.code === BOUND_TO_OTHERS)) return undefined;
  return e.detail ? `${e.message} (${e.detail})` : (e.message ?? e.code);
}

/** The refusal as the issue a contact is rejected with; undefined if the database did not refuse the data. */
export function refusalIssue(error: unknown): Issue | undefined {
  const refusal = databaseRefusal(error);
  if (!refusal) return undefined;
  const e = driverError(error);
  if (e?.code === BOUND_TO_OTHERS) return issue('operator-not-yours', { field: 'operator_pid', value: e.detail ?? '' });
  return issue('database-rejected', { detail: refusal });
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'CONNECT_TIMEOUT', 'EHOSTUNREACH']);
/** A connection that went away mid-command: postgres.js's own codes, and the socket's. */
const LOST = new Set(['CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'ECONNRESET', 'EPIPE']);
/** What a command that writes says when its server goes; the hint says to run it again. */
const COMMITTED_STAYS = 'what was committed stays';
const RERUN = 'run the same command again once it is back: the rest is completed with nothing stored twice';

/**
 * What the server says it did when it stops a command by a setting of its
 * administrator's (a timeout) or ends the session: the words for the
 * message, and what to change. Each leaves what was committed in place and
 * rolls back the batch or line in hand.
 */
const SERVER_STOPPED: Record<string, { did: string; change: string }> = {
  '57014': {
    did: 'it cancelled a statement that ran longer than the statement_timeout set for this login or database',
    change:
      "raise it for this login (ALTER ROLE name SET statement_timeout = '30min', or 0 for none; docs/operations.md says what export and verify need) or ask the administrator, then run the same command again",
  },
  '55P03': {
    did: 'a lock was not granted within the lock_timeout set for this login or database',
    change:
      "find what holds it (pg_stat_activity), or raise lock_timeout for this login (ALTER ROLE name SET lock_timeout = '1min'), then run the same command again",
  },
  '25P03': {
    did: 'it ended the session, which was idle inside a transaction longer than idle_in_transaction_session_timeout',
    change:
      "raise it for this login (ALTER ROLE name SET idle_in_transaction_session_timeout = '10min'): a command paused (Ctrl-Z) or slowed in the middle of a batch waits inside its transaction; then run the same command again",
  },
};

/** A login lacking the rights for `what` at `location`: the message names the role the job needs (so --json carries it), the hint how to get it. */
export function permissionDenied(location: string, what: string, role: string | undefined) {
  return storageError(
    'permission-denied',
    { value: location, detail: what, ...(role ? { limit: role } : {}) },
    role
      ? `a database administrator runs GRANT ${role} TO your login (cis-contact db roles creates the roles)`
      : 'ask a database administrator for the rights this needs (cis-contact db roles creates the roles)',
  );
}

/** What a command had done when its server went, and what to do about it: said in its own words. */
export interface WhenLost {
  /** How far it got, said after the lost connection. */
  done: string;
  /** The hint: how to complete it. */
  next: string;
}

/** What a command that changes nothing in the store (a reader, a dry run) says when its server goes: how far it got. */
export const readerLost = (howFar: string): WhenLost => ({
  done: `${howFar}; nothing in the store changed`,
  next: 'run it again once the server is back',
});

/**
 * A connection, server, disk or rights failure as a storage error with a hint
 * of what to do; undefined if it is not one. `needs`: the role the command's
 * job takes, named when the login lacks a right. `lost`: what the command
 * says when the connection goes mid-way (by default, a writer's words).
 */
export function asStorageFailure(error: unknown, location: string, needs?: string, lost?: WhenLost) {
  let e = error as (PgErrorLike & { errno?: unknown }) | undefined;
  for (let depth = 0; e && depth < 4; depth++) {
    const code = typeof e.code === 'string' ? e.code : '';
    // A socket folder without the server's socket in it fails to connect with ENOENT.
    if (UNREACHABLE.has(code) || (code === 'ENOENT' && (e as { syscall?: string }).syscall === 'connect')) {
      return storageError(
        'database-unreachable',
        { value: location, limit: code },
        'check that the server is running and that DATABASE_URL (or --database-url, or PGHOST and PGPORT) names the right host, port and database',
      );
    }
    // Node's TLS codes: the server's certificate, or TLS itself, was not accepted.
    if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/.test(code)) {
      return storageError(
        'database-unavailable',
        { value: location, detail: `TLS failed: ${e.message ?? code} (${code})` },
        "check sslrootcert (the CA that signed the server's certificate) and that the host name is the one in the certificate; sslmode=require encrypts without checking either",
      );
    }
    const stopped = SERVER_STOPPED[code];
    if (stopped) {
      return storageError(
        'server-stopped-command',
        { value: location, detail: stopped.did, limit: code },
        `${lost?.done ?? `nothing of the batch or line in hand was written; ${COMMITTED_STAYS}`}; ${stopped.change}`,
      );
    }
    // A pooler's own refusal (PgBouncer's query_wait_timeout, max_client_conn) comes as a protocol error with its words.
    if (code === '08P01' && e.message) {
      return storageError(
        'server-stopped-command',
        { value: location, limit: code, detail: `a connection pooler in front of it refused: ${e.message}` },
        `${lost?.done ?? `nothing of the batch or line in hand was written; ${COMMITTED_STAYS}`}; ` +
          "a pooler's limits (PgBouncer's query_wait_timeout, pool sizes, max_client_conn) are its administrator's to raise, or run the command when the pool is less busy",
      );
    }
    // The server went away (restart, failover, a session ended by an administrator, network).
    if (LOST.has(code) || /^(08|57P)/.test(code)) {
      const why =
        code === '57P01'
          ? "57P01: the server ended the session, by an administrator's pg_terminate_backend or a shutdown"
          : code;
      return storageError(
        'database-unreachable',
        { value: location, limit: why, detail: lost?.done ?? COMMITTED_STAYS },
        lost?.next ?? RERUN,
      );
    }
    if (code === '53100') {
      return storageError(
        'disk-full',
        { value: location, detail: e.message ?? code },
        'free some space there, then run the same command again: it completes what was not committed',
      );
    }
    if (code === '42501') {
      return permissionDenied(location, e.message ?? code, needs);
    }
    if (code === OTHER_SCHEMA_VERSION) return versionRefusal(e, location);
    if (/^(28|3D|53)/.test(code)) {
      return storageError(
        'database-unavailable',
        { value: location, detail: e.message ?? code },
        code.startsWith('53')
          ? 'the server is out of a resource; try again later'
          : 'check the user, password and database name in DATABASE_URL',
      );
    }
    e = e.cause as PgErrorLike | undefined;
  }
  return undefined;
}

/** Whether a storage failure is a connection lost mid-command, the server having said nothing of why. */
export function isLostConnection(failure: CisError | undefined): boolean {
  return failure?.code === 'database-unreachable' && LOST.has(String(failure.params.limit ?? ''));
}

/** What to add when a lost connection's login has an idle_in_transaction_session_timeout: the likely cause, and what to change. */
export function idleLimitNote(limit: string): string {
  const stopped = SERVER_STOPPED['25P03']!;
  return (
    `the server answers again, and this login's idle_in_transaction_session_timeout is ${limit}: ` +
    `if the command was paused or its output read slowly, ${stopped.did.replace(/^it /, 'the server ')} (25P03); ${stopped.change}`
  );
}

/** A reading command pointed at a place that holds no store: never create one there. */
export function noStoreAt(location: string) {
  return inputError(
    'no-store',
    { value: location },
    'check --data-dir, CIS_CONTACT_DATA_DIR or DATABASE_URL for a typo; a store is made by db migrate, registry import, operators import, import, record or run',
  );
}
