/**
 * Embedded PostgreSQL (PGlite) in a data directory. PGlite is one process's
 * database: a second process opening the same directory would corrupt it, so
 * the directory is locked for as long as it is open, and other processes
 * wait their turn (SPEC 6.7: concurrent runs behave as if run one after another).
 */

import { mkdirSync } from 'node:fs';
import { PGlite, type Transaction as PGliteTransaction } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import lockfile from 'proper-lockfile';
import { storageError } from '../domain/errors.js';
import * as schema from './schema.js';
import type { Database, Store } from './database.js';
import { copyWriter } from './bulk-copy.js';

/** PGlite reads COPY data from a blob handed to the query. */
const bulkWriter = copyWriter(async (tx, table, columns, text) => {
  if (text === '') return;
  const client = (tx as unknown as { session: { client: PGliteTransaction } }).session.client;
  await client.query(`copy ${table} (${columns.join(', ')}) from '/dev/blob'`, [], { blob: new Blob([text]) });
});

const LOCK_STALE_MS = 10_000;
const LOCK_WAIT_MS = 250;

async function lockDirectory(dir: string, onWait?: (message: string) => void): Promise<() => Promise<void>> {
  let told = false;
  for (;;) {
    try {
      return await lockfile.lock(dir, { stale: LOCK_STALE_MS, realpath: false, lockfilePath: `${dir}/.cis-contact.lock` });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
      if (!told) onWait?.(`waiting for another cis-contact process to finish with ${dir}`);
      told = true;
      await new Promise((resolve) => setTimeout(resolve, LOCK_WAIT_MS));
    }
  }
}

export async function openEmbeddedStore(dataDir: string, onWait?: (message: string) => void): Promise<Store> {
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (error) {
    throw storageError('data-dir-unusable', `cannot create the data directory ${dataDir}: ${(error as Error).message}`,
      'choose another with --data-dir or CIS_CONTACT_DATA_DIR');
  }
  let release: () => Promise<void>;
  try {
    release = await lockDirectory(dataDir, onWait);
  } catch (error) {
    throw storageError('data-dir-unusable', `cannot lock the data directory ${dataDir}: ${(error as Error).message}`);
  }
  let client: PGlite;
  try {
    client = await PGlite.create(`${dataDir}/pgdata`);
  } catch (error) {
    await release();
    throw storageError('database-unavailable', `cannot open the embedded database in ${dataDir}: ${(error as Error).message}`);
  }
  const db = drizzle(client, { schema }) as unknown as Database;
  return {
    db,
    driver: 'pglite',
    location: dataDir,
    bulkWriter,
    close: async () => {
      try {
        await client.close();
      } finally {
        await release();
      }
    },
  };
}
