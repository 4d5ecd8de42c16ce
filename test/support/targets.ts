/**
 * The two storage targets every storage and command test runs on: PGlite
 * always, the PostgreSQL server whenever DATABASE_URL is set. Each target is a
 * fresh store of its own, copied from one prepared once per run (a copied
 * data directory, or a database created from a template database) and
 * removed afterwards, so tests never collide.
 */

import { execFileSync } from 'node:child_process';
import postgres from 'postgres';
import { inject } from 'vitest';
import { type SQL, sql } from 'drizzle-orm';
import { type Store, rows } from '../../src/storage/database.js';
import { openStore } from '../../src/storage/open-store.js';
import { type ServerConnection, serverConnection } from '../../src/storage/connection.js';
import { CLIENT_SCHEMA_VERSION, MIGRATIONS_FOLDER } from '../../src/storage/client-version.js';
import { scratchFolder } from './scratch.js';

export interface Target {
  driver: 'pglite' | 'postgres';
  /** Environment for the CLI to use this store. */
  env: Record<string, string>;
  open(): Promise<Store>;
  dispose(): Promise<void>;
}

export const SERVER_URL = process.env.DATABASE_URL;

export const DRIVERS: ('pglite' | 'postgres')[] = SERVER_URL ? ['pglite', 'postgres'] : ['pglite'];

/** The same connection string, as another login (trust authentication: no password). */
export function withUser(url: string, user: string): string {
  const u = new URL(url);
  u.username = user;
  u.password = '';
  return u.toString();
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** The server a URL names, read as the tool reads it (no PG* variables of the test's environment). */
export function serverAt(url: string): ServerConnection {
  return serverConnection(url, {})!;
}

/** Which prepared store a target starts as (see global-setup.ts): none (an empty place), migrated, or migrated with the fixtures' registry and operators. */
type Start = 'empty' | 'migrated' | 'fixtures';

/** A fresh store of the driver's: migrated and empty unless `migrated` is false (nothing there yet). */
export function createTarget(driver: 'pglite' | 'postgres', migrated = true): Promise<Target> {
  return newTarget(driver, migrated ? 'migrated' : 'empty');
}

/** A fresh migrated store holding the sample registry and operators from fixtures/. */
export function fixtureTarget(driver: 'pglite' | 'postgres'): Promise<Target> {
  return newTarget(driver, 'fixtures');
}

async function newTarget(driver: 'pglite' | 'postgres', start: Start): Promise<Target> {
  const templates = inject('storeTemplates');
  if (driver === 'pglite') return pgliteTarget(start === 'empty' ? undefined : templates.pglite[start]);
  // A copy of a template database global-setup.ts prepared: no migrations or imports per test.
  return serverTarget(start === 'empty' ? undefined : templates.postgres![start]);
}

/**
 * A fresh store holding what `source` holds now, for tests that share an
 * expensive set-up but must not see each other's writes: a copied data
 * directory, or a database made from the source's (nothing may be connected
 * to it: close what was opened on it first).
 */
export function copyOf(source: Target): Promise<Target> {
  return source.driver === 'pglite'
    ? pgliteTarget(source.env.CIS_CONTACT_DATA_DIR)
    : serverTarget(new URL(source.env.DATABASE_URL!).pathname.slice(1));
}

/**
 * A store's data directory holds about a thousand files: `cp -a` copies one
 * in 85 ms and `rm -rf` removes it in 30, where Node's `cpSync` and `rmSync`
 * took 620 and 170 ms of CPU (measured 2026-12-06), and every PGlite test
 * makes one.
 */
function copyTree(from: string, to: string): void {
  execFileSync('cp', ['-a', `${from}/.`, to]);
}

function removeTree(dir: string): void {
  execFileSync('rm', ['-rf', dir]);
}

/** A new data directory: a copy of `from`, or empty. */
async function pgliteTarget(from: string | undefined): Promise<Target> {
  const dir = scratchFolder('cis-contact-test-');
  if (from) copyTree(from, dir);
  return {
    driver: 'pglite',
    env: { CIS_CONTACT_DATA_DIR: dir, DATABASE_URL: '' },
    open: () => openStore({ dataDir: dir }),
    dispose: async () => removeTree(dir),
  };
}

/** A new database on the server: made from the database `template`, or empty. */
async function serverTarget(template: string | undefined): Promise<Target> {
  const name = `cis_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = postgres(SERVER_URL!, { max: 1, onnotice: () => {} });
  await admin.unsafe(template ? `create database ${name} template ${template}` : `create database ${name}`);
  const url = withDatabase(SERVER_URL!, name);
  return {
    driver: 'postgres',
    env: { DATABASE_URL: url },
    open: () => openStore({ server: serverAt(url), dataDir: '' }),
    dispose: async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await dropStoreRoles(admin, name);
      await admin.end();
    },
  };
}

/** Roles belong to the whole server: the ones `db roles` made for a test's database go with it. */
export async function dropStoreRoles(server: postgres.Sql, database: string): Promise<void> {
  const roles = await server<{ rolname: string }[]>`
    select rolname::text as rolname from pg_roles where shobj_description(oid, 'pg_authid') like ${`cis-contact % of database ${database}`}
    order by rolname desc`;
  for (const { rolname } of roles) await server.unsafe(`drop role if exists "${rolname}"`);
}

/** Runs one query on the target's store, opened just for it (the CLI must not be holding PGlite's lock). */
export async function queryStore<T>(target: Target, query: SQL): Promise<T[]> {
  return readStore(target, (read) => read<T>(query));
}

/** Runs a query on a store `readStore` opened. */
export type StoreReader = <T>(query: SQL) => Promise<T[]>;

/**
 * Runs every query `reads` makes on the target's store, opened once for them
 * all: each opening of an embedded store costs a PGlite start.
 */
export async function readStore<T>(target: Target, reads: (read: StoreReader) => Promise<T>): Promise<T> {
  const store = await target.open();
  try {
    return await reads((query) => rows(store.db, query));
  } finally {
    await store.close();
  }
}

export interface StoredCounts {
  contacts: number;
  enquiries: number;
  keys: number;
  max: number | null;
}

/** A target's store, or one `readStore` holds open. */
const reader = (from: Target | StoreReader): StoreReader =>
  typeof from === 'function' ? from : (query) => queryStore(from, query);

/** The query `storedCounts` runs, for a test that reads more with the same open of the store. */
export const STORED_COUNTS = sql`
    select (select count(*)::int from public.contacts) as contacts, (select count(*)::int from public.enquiries) as enquiries,
           (select count(distinct source_key)::int from public.contacts) as keys, (select max(seq)::int from public.contacts) as max`;

/** How many contacts, enquiries and distinct source keys the store holds, and its highest seq. */
export async function storedCounts(from: Target | StoreReader): Promise<StoredCounts> {
  const [counts] = await reader(from)<StoredCounts>(STORED_COUNTS);
  return counts!;
}

/**
 * What `storedCounts` reads once `added` contacts of one enquiry each are stored after it read `before` (seq is
 * gap-free): with an import's own report of writing them all, that nothing else was stored in between.
 */
export function countsWith(before: StoredCounts, added: number): StoredCounts {
  return {
    contacts: before.contacts + added,
    enquiries: before.enquiries + added,
    keys: before.keys + added,
    max: (before.max ?? 0) + added,
  };
}

/** The first enquiry's notes and the contact name of the contact stored under a source key. */
export async function storedNotes(from: Target | StoreReader, sourceKey: string) {
  const [row] = await reader(from)<{ general_notes: string | null; contact_name: string | null }>(
    sql`select e.general_notes, c.contact_name from public.contacts c join public.enquiries e on e.contact_seq = c.seq where c.source_key = ${sourceKey} order by e.position limit 1`,
  );
  return row;
}

/** A fresh store with the sample registry and operators from fixtures/ loaded, and a folder to work in. */
export async function fixtureStore(
  driver: 'pglite' | 'postgres',
  name: string,
): Promise<{ target: Target; cwd: string }> {
  const target = await fixtureTarget(driver);
  return { target, cwd: scratchFolder(`cis-contact-${name}-`) };
}

/**
 * Brings an unmigrated target's store to the schema of an earlier version of
 * the tool: the first `count` migration files, bookkept as the migrator does,
 * written as that version wrote them (no declared client version: the check
 * that asks for one comes later).
 */
export async function migrateTargetTo(
  target: Target,
  count: number,
  /** Written in the same transaction, after the migrations: no second opening of the store for it. */
  then?: (tx: Parameters<Parameters<Store['db']['transaction']>[0]>[0]) => Promise<void>,
): Promise<void> {
  const { readMigrationFiles } = await import('drizzle-orm/migrator');
  const store = await target.open();
  try {
    // In one transaction with `public` on its search path, as the migrator runs them (the tool's own pins it to pg_catalog).
    await store.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_catalog.set_config('search_path', 'public, pg_temp', true)`);
      await tx.execute(sql`create schema if not exists drizzle`);
      await tx.execute(
        sql`create table if not exists drizzle.__drizzle_migrations (id serial primary key, hash text not null, created_at bigint)`,
      );
      for (const migration of readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER }).slice(0, count)) {
        for (const statement of migration.sql) if (statement.trim() !== '') await tx.execute(sql.raw(statement));
        await tx.execute(
          sql`insert into drizzle.__drizzle_migrations (hash, created_at) values (${migration.hash}, ${migration.folderMillis})`,
        );
      }
      await then?.(tx);
    });
  } finally {
    await store.close();
  }
}

/**
 * What a client of this version declares before it writes, as a postgres.js
 * option: tests that write with plain SQL, as a login or an attacker may,
 * declare it too, so that the check under test is the one that answers.
 */
export const CURRENT_CLIENT = { connection: { 'cis_contact.schema_version': String(CLIENT_SCHEMA_VERSION) } };
