/**
 * The schema version a store is at, and the one this client was built for:
 * the number of migrations applied (bookkept by the migrator in
 * `drizzle.__drizzle_migrations`) and the number this client ships in
 * `drizzle/`. The database compares the two on every write (drizzle/0006):
 * each transaction of the tool declares its client's version first, so a
 * client of another version can never store an entry that the current
 * `verify` would call altered (transaction-settings.ts declares it).
 */

import { sql } from 'drizzle-orm';
import { CLIENT_SCHEMA_VERSION } from './client-version.js';
import { type Database, type Executor, rows } from './database.js';

/** Where the store stands against this client. */
export type SchemaState =
  | { kind: 'none' }
  | { kind: 'current'; store: number }
  | { kind: 'behind'; store: number }
  | { kind: 'ahead'; store: number };

/** How many migrations the store has applied; undefined where it has no bookkeeping (no store, or one older than it). */
export async function appliedMigrations(executor: Executor): Promise<number | undefined> {
  // Asked first, not caught: a failed query would abort the transaction the migrator asks in.
  const [bookkept] = await rows<{ found: boolean }>(
    executor,
    sql`select pg_catalog.to_regclass('drizzle.__drizzle_migrations') is not null as found`,
  );
  if (!bookkept?.found) return undefined;
  return bookkeptMigrations(executor);
}

/** How many migrations drizzle's bookkeeping table, known to exist, records. */
async function bookkeptMigrations(executor: Executor): Promise<number> {
  const [row] = await rows<{ applied: number }>(
    executor,
    sql`select count(*)::int as applied from drizzle.__drizzle_migrations`,
  );
  return row?.applied ?? 0;
}

/**
 * Is there a store, and is it at this client's version, behind it or ahead of
 * it? Asked in one transaction, both tables looked for in one statement: every
 * command asks it first, and each statement outside a transaction is one of
 * its own (transaction-settings.ts), four round trips to the database.
 */
export async function schemaState(db: Database): Promise<SchemaState> {
  return db.transaction(async (tx) => {
    const [found] = await rows<{ store: boolean; bookkept: boolean }>(
      tx,
      sql`select pg_catalog.to_regclass('public.contacts') is not null as store,
                 pg_catalog.to_regclass('drizzle.__drizzle_migrations') is not null as bookkept`,
    );
    if (!found?.store) return { kind: 'none' };
    const store = found.bookkept ? await bookkeptMigrations(tx) : 0;
    if (store === CLIENT_SCHEMA_VERSION) return { kind: 'current', store };
    return { kind: store < CLIENT_SCHEMA_VERSION ? 'behind' : 'ahead', store };
  });
}
