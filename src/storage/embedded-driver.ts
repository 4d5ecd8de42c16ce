/**
 * Embedded PostgreSQL (PGlite) in a data directory. PGlite is one process's
 * database: a second process opening the same directory would destroy it, so
 * the directory is locked, by the kernel, for as long as it is open, and other
 * processes wait their turn (concurrent runs behave as if run one after
 * another). See store-lock.ts and disk-space.ts for the two ways a store was
 * lost before.
 */

import { PGlite, type Transaction as PGliteTransaction } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { CisError, storageError } from '../domain/errors.js';
import { noStoreAt } from './database-errors.js';
import * as schema from './schema.js';
import type { CopySender, Database, EmbeddedStoreOptions, Store } from './database.js';
import { copyChunks, copyWriter } from './bulk-copy.js';
import { DISK_RESERVE_BYTES, OPEN_RESERVE_BYTES, assertRoom, guardTransactions } from './disk-space.js';
import { lockStore } from './store-lock.js';
import { holdsStore, makePrivateDir, tightenPrivateDir } from './private-dir.js';
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

/**
 * PGlite's own start-up settings, with a smaller buffer cache: PostgreSQL's
 * default 128 MB of shared buffers is set up in PGlite's WebAssembly memory on
 * every open, about half of what opening a store costs in CPU and 130 MB of
 * its memory; the operating system's page cache still holds the store's files
 * below it. The figures are in docs/performance.md.
 */
const START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=32MB'];

/** PGlite open on a store, with the lock that keeps every other process out of its files while it is. */
export interface OpenedDatabase {
  client: PGlite;
  /** Closes PGlite, brings the files it made to owner-only and lets go of the lock. */
  close(): Promise<void>;
}

/**
 * Makes (or finds) the store's private folder, takes its lock (waiting for
 * another process that holds it), tightens what was found open and opens
 * PGlite. The command's own process (`--no-holder`) and the resident holder
 * both open a store this way.
 */
export async function openEmbeddedDatabase(
  dataDir: string,
  options: EmbeddedStoreOptions = {},
): Promise<OpenedDatabase> {
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
    client = await PGlite.create(`${dataDir}/pgdata`, { startParams: START_PARAMS });
  } catch (error) {
    await lock.release();
    if (error instanceof CisError) throw error;
    throw storageError('database-unavailable', {
      value: dataDir,
      detail: `the embedded database cannot be opened (${(error as Error).message})`,
    });
  }
  return {
    client,
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

export async function openEmbeddedStore(dataDir: string, options: EmbeddedStoreOptions = {}): Promise<Store> {
  const opened = await openEmbeddedDatabase(dataDir, options);
  const db = drizzle(opened.client, { schema }) as unknown as Database;
  pinEveryStatement(db);
  guardTransactions(db, dataDir);
  const copy = copyInto(dataDir);
  return {
    db,
    driver: 'pglite',
    location: dataDir,
    bulkWriter: copyWriter(copy),
    copy,
    close: () => opened.close(),
  };
}
