/** Telling a database that refused data from a database that failed. */

import { storageError } from '../domain/errors.js';

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

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'CONNECT_TIMEOUT', 'EHOSTUNREACH']);

/** A connection or server failure as a storage error with a hint of what to check; undefined if it is not one. */
export function asStorageFailure(error: unknown, location: string) {
  let e = error as (PgErrorLike & { errno?: unknown }) | undefined;
  for (let depth = 0; e && depth < 4; depth++) {
    if (typeof e.code === 'string' && UNREACHABLE.has(e.code)) {
      return storageError('database-unreachable', `cannot reach the PostgreSQL server at ${location} (${e.code})`,
        'check that the server is running and that DATABASE_URL (or --database-url) names the right host, port and database');
    }
    if (typeof e.code === 'string' && /^(28|3D|08|53|57)/.test(e.code)) {
      return storageError('database-unavailable', `the PostgreSQL server at ${location} refused: ${e.message}`,
        'check the user, password and database name in DATABASE_URL');
    }
    e = e.cause as PgErrorLike | undefined;
  }
  return undefined;
}
