/**
 * Embedded PostgreSQL (PGlite) in a data directory. PGlite is one process's
 * database: a second process opening the same directory would destroy it, so
 * the directory is locked, by the kernel, for as long as it is open, and other
 * processes wait their turn (concurrent runs behave as if run one after
 * another). See store-lock.ts and disk-space.ts for the two ways a store was
 * lost before.
 */

import { existsSync } from 'node:fs';
import { PGlite, type Transaction as PGliteTransaction } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { CisError, storageError } from '../domain/errors.js';
import { noStoreAt } from './database-errors.js';
import * as schema from './schema.js';
import type { CopySender, Database, EmbeddedStoreOptions, Store } from './database.js';
import { copyChunks, copyWriter } from './bulk-copy.js';
import { DISK_RESERVE_BYTES, OPEN_RESERVE_BYTES, assertRoom } from './disk-space.js';
import { lockStore } from './store-lock.js';
import { makePrivateDir, tightenPrivateDir } from './private-dir.js';
import { pinEveryStatement } from './transaction-settings.js';

/**
 * PGlite reads COPY data from a blob handed to the query. Each COPY first
 * checks the disk has room. The blob option is PGlite's own, so the COPY goes
 * to PGlite's transaction behind drizzle's, its internal `session.client`
 * (drizzle documents only `db.$client`, and PGlite's client would wait on the
 * open transaction): drizzle-orm is pinned to an exact version in
 * package.json, and test/storage/library-internals.test.ts fails on an
 * upgrade that moves it.
 */
const copyInto =
  (dataDir: string): CopySender =>
  async (tx, table, columns, text) => {
    if (text.length === 0) return;
    assertRoom(dataDir);
    const client = (tx as unknown as { session: { client: PGliteTransaction } }).session.client;
    await client.query(`copy public.${table} (${columns.join(', ')}) from '/dev/blob'`, [], {
      blob: new Blob([...copyChunks(text)]),
    });
  };

/** Whether DIR holds an embedded store's database files. */
function holdsStore(dataDir: string): boolean {
  return existsSync(`${dataDir}/pgdata/PG_VERSION`);
}

/** Every write transaction first checks that the disk has room to finish it. */
function guardTransactions(db: Database, dataDir: string): void {
  const transaction = db.transaction.bind(db);
  db.transaction = (work, config) => {
    assertRoom(dataDir);
    return transaction(work, config);
  };
}

export async function openEmbeddedStore(dataDir: string, options: EmbeddedStoreOptions = {}): Promise<Store> {
  const create = options.create ?? true;
  if (!create && !holdsStore(dataDir)) throw noStoreAt(dataDir);
  try {
    makePrivateDir(dataDir);
  } catch (error) {
    if (error instanceof CisError) throw error;
    throw storageError(
      'data-dir-unusable',
      { value: dataDir, detail: `it cannot be created (${(error as Error).message})` },
      'choose another with --data-dir or CIS_CONTACT_DATA_DIR',
    );
  }
  let lock;
  try {
    lock = await lockStore(
      dataDir,
      (holder) =>
        options.onWait?.(
          `waiting for another cis-contact process to finish with ${dataDir}` +
            (holder ? ` (${holder})` : ' (it does not say which: it may be paused)'),
        ),
      options.signal,
      options.lock,
    );
  } catch (error) {
    if (error instanceof CisError) throw error;
    throw storageError('data-dir-unusable', {
      value: dataDir,
      detail: `it cannot be locked (${(error as Error).message})`,
    });
  }
  const opened = tightenPrivateDir(dataDir);
  if (opened.directoryMode !== null) {
    options.onWarning?.(
      `the embedded store at ${dataDir} was open to other accounts on this machine (mode ${opened.directoryMode.toString(8)}, ` +
        `${opened.entries} files and folders); it is now readable and writable by its owner only`,
    );
  }
  let client: PGlite;
  try {
    // Opening writes too (recovery, a checkpoint; a new store's files).
    assertRoom(dataDir, holdsStore(dataDir) ? OPEN_RESERVE_BYTES : DISK_RESERVE_BYTES);
    client = await PGlite.create(`${dataDir}/pgdata`);
  } catch (error) {
    await lock.release();
    if (error instanceof CisError) throw error;
    throw storageError('database-unavailable', {
      value: dataDir,
      detail: `the embedded database cannot be opened (${(error as Error).message})`,
    });
  }
  const db = drizzle(client, { schema }) as unknown as Database;
  pinEveryStatement(db);
  guardTransactions(db, dataDir);
  const copy = copyInto(dataDir);
  return {
    db,
    driver: 'pglite',
    location: dataDir,
    bulkWriter: copyWriter(copy),
    copy,
    close: async () => {
      try {
        await client.close();
        // PGlite made its new files world-writable: unreachable inside the 0700 directory, and now owner-only too.
        tightenPrivateDir(dataDir);
      } finally {
        await lock.release();
      }
    },
  };
}
