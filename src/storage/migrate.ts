/**
 * Applies the drizzle-kit migrations in `drizzle/`, the same files on both
 * drivers, bookkept in drizzle's own `drizzle.__drizzle_migrations` table so
 * `drizzle-kit migrate` agrees. Unlike drizzle's migrator it takes an advisory
 * lock (two first runs at once must not both migrate) and first checks, in a
 * single query, whether anything is pending: every command runs this on start.
 */

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { type Executor, rows } from './database.js';
import { LOCK_KEYS } from './locks.js';
import { storeOwnerToAssume } from './access.js';

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle', import.meta.url));

interface Journal {
  entries: { when: number; tag: string }[];
}

function latestMigration(): number {
  const journal = JSON.parse(readFileSync(`${MIGRATIONS_FOLDER}/meta/_journal.json`, 'utf8')) as Journal;
  return Math.max(...journal.entries.map((e) => e.when));
}

async function lastApplied(executor: Executor): Promise<number | undefined> {
  const [row] = await rows<{ last: string | null }>(executor,
    sql`select max(created_at)::text as last from drizzle.__drizzle_migrations`);
  return row?.last ? Number(row.last) : undefined;
}

function isMissingRelation(error: unknown): boolean {
  const code = (error as { code?: string; cause?: { code?: string } }).cause?.code ?? (error as { code?: string }).code;
  return code === '42P01' || code === '3F000';
}

/** Is the schema current? Answers with one query. */
async function schemaIsCurrent(executor: Executor): Promise<boolean> {
  try {
    const last = await lastApplied(executor);
    return last !== undefined && last >= latestMigration();
  } catch (error) {
    if (isMissingRelation(error)) return false;
    throw error;
  }
}

/** Does the database hold a store at all (of any version)? */
export async function storeExists(executor: Executor): Promise<boolean> {
  const [row] = await rows<{ found: boolean }>(executor, sql`select to_regclass('public.contacts') is not null as found`);
  return Boolean(row?.found);
}

/** Applies pending migrations; returns how many were applied. */
export async function migrate(db: Executor): Promise<number> {
  if (await schemaIsCurrent(db)) return 0;
  const migrations = readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER });
  let applied = 0;
  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${LOCK_KEYS.migrations})`);
    const owner = await storeOwnerToAssume(tx);
    if (owner) await tx.execute(sql.raw(`set local role "${owner.replace(/"/g, '""')}"`));
    const [bookkept] = await rows<{ found: boolean }>(tx, sql`select to_regclass('drizzle.__drizzle_migrations') is not null as found`);
    // Created only when missing: even IF NOT EXISTS needs the right to create.
    if (!bookkept?.found) {
      await tx.execute(sql`create schema if not exists drizzle`);
      await tx.execute(sql`create table if not exists drizzle.__drizzle_migrations (
        id serial primary key, hash text not null, created_at bigint)`);
    }
    const last = await lastApplied(tx);
    for (const migration of migrations) {
      if (last !== undefined && last >= migration.folderMillis) continue;
      for (const statement of migration.sql) {
        if (statement.trim() !== '') await tx.execute(sql.raw(statement));
      }
      await tx.execute(sql`insert into drizzle.__drizzle_migrations (hash, created_at)
        values (${migration.hash}, ${migration.folderMillis})`);
      applied++;
    }
  });
  return applied;
}
