/**
 * The oldest PostgreSQL server a store can live on: migration 0005 uses what
 * PostgreSQL 13 brought. Checked when a server store is opened, so an older
 * server is named as such instead of failing half-way through a migration.
 */

import { sql } from 'drizzle-orm';
import { storageError } from '../domain/errors.js';
import { type Executor, rows } from './database.js';

/** PostgreSQL 13, as `server_version_num` counts. */
const MINIMUM = 130000;

/** Why a server of this version cannot hold a store, or nothing when it can. */
export function serverTooOld(versionNum: number, version: string): string | undefined {
  return versionNum < MINIMUM
    ? `the server is PostgreSQL ${version}, and cis-contact needs PostgreSQL 13 or later`
    : undefined;
}

export async function requireServerVersion(db: Executor, location: string): Promise<void> {
  const [row] = await rows<{ num: number; version: string }>(
    db,
    sql`
    select pg_catalog.current_setting('server_version_num')::int as num, pg_catalog.current_setting('server_version') as version`,
  );
  const problem = serverTooOld(row!.num, row!.version);
  if (problem)
    throw storageError(
      'database-unavailable',
      { value: location, detail: problem },
      "keep the store on a PostgreSQL 13 server or later (ask the server's administrator to upgrade it)",
    );
}
