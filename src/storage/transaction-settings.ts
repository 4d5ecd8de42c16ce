/**
 * What every statement the tool sends runs under, fixed per transaction so
 * that neither an object some login created nor a login's own settings
 * (`ALTER ROLE … SET`, `ALTER DATABASE … SET`) can change what a statement
 * means or how a value becomes text:
 *
 * - `search_path` holds only `pg_catalog` and `pg_temp`: every table is named
 *   with its schema (`public.contacts`), and a function or operator can only
 *   resolve to the built-in one (PostgreSQL never looks in `pg_temp` for
 *   them). A function of an exact argument type in `public` would otherwise
 *   win over the built-in `to_json(anyelement)` wherever `public` stands.
 * - DateStyle, TimeZone, IntervalStyle, extra_float_digits, bytea_output,
 *   client_encoding and standard_conforming_strings: the ones that change a
 *   value's text.
 * - This client's schema version, which the store's write checks hold
 *   against its own (drizzle/0006).
 *
 * Each is `set_config(…, true)`, which is SET LOCAL: it lasts to the end of
 * the transaction, so it holds through a connection pooler (which refuses
 * custom startup parameters and hands the next transaction another session).
 */

import { type SQL, sql } from 'drizzle-orm';
import type { Database } from './database.js';
import { CLIENT_SCHEMA_VERSION } from './client-version.js';

/** Setting to value; the values are constants, written into the one statement. */
const PINNED_SETTINGS: Readonly<Record<string, string>> = {
  search_path: 'pg_catalog, pg_temp',
  DateStyle: 'ISO, YMD',
  TimeZone: 'UTC',
  IntervalStyle: 'postgres',
  extra_float_digits: '1',
  bytea_output: 'hex',
  client_encoding: 'UTF8',
  standard_conforming_strings: 'on',
  // Short keyset-page queries paid 30 times their run time in JIT compiling when the planner's estimates
  // were stale (116 ms of JIT for a 3.8 ms page right after a bulk import).
  jit: 'off',
  'cis_contact.schema_version': String(CLIENT_SCHEMA_VERSION),
};

const quote = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** `select pg_catalog.set_config(name, value, true), …`: the settings in one statement. */
export function pinningStatement(settings: Readonly<Record<string, string>> = PINNED_SETTINGS): string {
  const calls = Object.entries(settings).map(
    ([name, value]) => `pg_catalog.set_config(${quote(name)}, ${quote(value)}, true)`,
  );
  return `select ${calls.join(', ')}`;
}

const PINNING: SQL = sql.raw(pinningStatement());

/**
 * The drizzle internals this relies on: a statement run outside a
 * transaction is prepared by `db.session.prepareQuery` and run by the
 * prepared query's `execute` (`db.execute` and every query builder do so).
 * drizzle-orm is pinned to an exact version in package.json, and
 * test/storage/library-internals.test.ts fails on an upgrade that changes it.
 */
interface PreparingSession {
  prepareQuery(...args: unknown[]): { execute(...args: unknown[]): Promise<unknown> };
}
const sessionOf = (executor: unknown) => (executor as { session: PreparingSession }).session;

/**
 * Every transaction on `db` first pins the settings above (a savepoint inside
 * one inherits them), and every statement sent outside a transaction (a read:
 * history, export, verify, a look-up) runs in a transaction of its own that
 * does, so no caller can forget it. Call it before anything else wraps
 * `db.transaction`: a read then goes through nothing a writer needs.
 */
export function pinEveryStatement(db: Database): void {
  const transaction = db.transaction.bind(db);
  const pinned = ((work, config) =>
    transaction(async (tx) => {
      await tx.execute(PINNING);
      return work(tx);
    }, config)) as Database['transaction'];
  db.transaction = pinned;
  const session = sessionOf(db);
  const prepare = session.prepareQuery.bind(session);
  session.prepareQuery = (...args: unknown[]) => {
    const prepared = prepare(...args);
    return Object.assign(Object.create(prepared) as typeof prepared, {
      execute: (...values: unknown[]) =>
        pinned((tx) =>
          sessionOf(tx)
            .prepareQuery(...args)
            .execute(...values),
        ),
    });
  };
}
