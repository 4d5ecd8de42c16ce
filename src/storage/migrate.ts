/**
 * Applies the drizzle-kit migrations in `drizzle/`, the same files on both
 * drivers, bookkept in drizzle's own `drizzle.__drizzle_migrations` table so
 * `drizzle-kit migrate` agrees. Unlike drizzle's migrator it takes a lock
 * only the store's owner may take (src/storage/chain-lock.ts) (two first runs at once must not both migrate), and it never touches a
 * store ahead of this client: that store's schema is one this client does not
 * know, and a client behind its store must be upgraded, not run.
 *
 * Who may migrate is the session's decision (src/commands/session.ts): an
 * embedded store migrates itself; on a server only `db migrate` does.
 */

import { sql } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import type { Executor } from './database.js';
import { DEFAULT_CHAIN_WAIT_SECONDS, holdMigrationsLock } from './chain-lock.js';
import { storeOwnerToAssume } from './access.js';
import { clientBehindStore } from './database-errors.js';
import { CLIENT_SCHEMA_VERSION, MIGRATIONS_FOLDER } from './client-version.js';
import { appliedMigrations } from './schema-version.js';

/** Applies pending migrations; returns how many were applied. */
export async function migrate(db: Executor, location = 'the store'): Promise<number> {
  if ((await appliedMigrations(db)) === CLIENT_SCHEMA_VERSION) return 0;
  const migrations = readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER });
  let applied = 0;
  await db.transaction(async (tx) => {
    await holdMigrationsLock(tx, { seconds: DEFAULT_CHAIN_WAIT_SECONDS, location });
    // The migrations name the store's tables without a schema and create them in `public`, which the
    // pinned search path (transaction-settings.ts) leaves out: `pg_catalog` still comes first, unlisted.
    await tx.execute(sql`select pg_catalog.set_config('search_path', 'public, pg_temp', true)`);
    const owner = await storeOwnerToAssume(tx);
    if (owner) await tx.execute(sql.raw(`set local role "${owner.replace(/"/g, '""')}"`));
    const done = await appliedMigrations(tx);
    if (done !== undefined && done > CLIENT_SCHEMA_VERSION) throw clientBehindStore(location, done);
    // Created only when missing: even IF NOT EXISTS needs the right to create.
    if (done === undefined) {
      await tx.execute(sql`create schema if not exists drizzle`);
      await tx.execute(sql`create table if not exists drizzle.__drizzle_migrations (
        id serial primary key, hash text not null, created_at bigint)`);
    }
    for (const migration of migrations.slice(done ?? 0)) {
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
