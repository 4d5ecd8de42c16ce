/** Telling a database that refused data from a database that failed. */

import { inputError, storageError } from '../domain/errors.js';

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

/**
 * The database's message when it refused the data itself (SQLSTATE classes 22
 * data exception and 23 integrity constraint violation); undefined otherwise.
 */
export function databaseRefusal(error: unknown): string | undefined {
  if (error instanceof BatchRefused) return error.message;
  const e = driverError(error);
  if (!e?.code || !(e.code.startsWith('22') || e.code.startsWith('23'))) return undefined;
  return e.detail ? `${e.message} (${e.detail})` : (e.message ?? e.code);
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'CONNECT_TIMEOUT', 'EHOSTUNREACH']);
/** A connection that went away mid-command: postgres.js's own codes, and the socket's. */
const LOST = new Set(['CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'ECONNRESET', 'EPIPE']);
const RERUN = 'run the same command again once it is back: what was committed stays, and the rest is completed with nothing stored twice';

/** A connection, server or disk failure as a storage error with a hint of what to do; undefined if it is not one. */
export function asStorageFailure(error: unknown, location: string) {
  let e = error as (PgErrorLike & { errno?: unknown }) | undefined;
  for (let depth = 0; e && depth < 4; depth++) {
    const code = typeof e.code === 'string' ? e.code : '';
    if (UNREACHABLE.has(code)) {
      return storageError('database-unreachable', `cannot reach the PostgreSQL server at ${location} (${code})`,
        'check that the server is running and that DATABASE_URL (or --database-url) names the right host, port and database');
    }
    // The server went away (restart, failover, terminated session, network).
    if (LOST.has(code) || /^(08|57P)/.test(code)) {
      return storageError('database-unreachable', `lost the connection to the PostgreSQL server at ${location} (${code})`, RERUN);
    }
    if (code === '53100') {
      return storageError('disk-full', `no space left for the database at ${location}: ${e.message}`,
        'free some space there, then run the same command again: it completes what was not committed');
    }
    if (/^(28|3D|53)/.test(code)) {
      return storageError('database-unavailable', `the PostgreSQL server at ${location} refused: ${e.message}`,
        code.startsWith('53') ? 'the server is out of a resource; try again later' : 'check the user, password and database name in DATABASE_URL');
    }
    e = e.cause as PgErrorLike | undefined;
  }
  return undefined;
}

/** A reading command pointed at a place that holds no store: never create one there. */
export function noStoreAt(location: string) {
  return inputError('no-store', `no cis-contact store at ${location}`,
    'check --data-dir, CIS_CONTACT_DATA_DIR or DATABASE_URL for a typo; a store is made by db migrate, registry import, operators import, import, record or run');
}
