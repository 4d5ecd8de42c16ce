/**
 * Opening an embedded store's PGlite, under the kernel lock that keeps every
 * other process out of its files (store-lock.ts) and with the room on disk
 * it needs (disk-space.ts): the command's own process (`--no-holder`,
 * embedded-driver.ts) and the resident holder (holder-server.ts) both open a
 * store here. No database code beyond PGlite itself: the holder loads
 * nothing more.
 */

import { PGlite } from '@electric-sql/pglite';
import { CisError, storageError } from '../domain/errors.js';
import { noStoreAt } from './database-errors.js';
import type { EmbeddedStoreOptions } from './database.js';
import { DISK_RESERVE_BYTES, OPEN_RESERVE_BYTES, assertRoom } from './disk-space.js';
import { lockStore } from './store-lock.js';
import { holdsStore, makePrivateDir, tightenPrivateDir } from './private-dir.js';
import { storeTemplate } from './store-template.js';

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
    const existing = holdsStore(dataDir);
    assertRoom(dataDir, existing ? OPEN_RESERVE_BYTES : DISK_RESERVE_BYTES);
    // A new store starts from the build's empty store, where there is one (store-template.ts), not from initdb.
    const template = existing ? undefined : storeTemplate();
    client = await PGlite.create(`${dataDir}/pgdata`, {
      startParams: START_PARAMS,
      ...(template ? { loadDataDir: template } : {}),
    });
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
