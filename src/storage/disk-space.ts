/**
 * PGlite cannot survive a full disk: when a write-ahead log segment cannot be
 * written, its PostgreSQL panics inside WebAssembly and the process spins,
 * deaf to signals (measured: 12 minutes at full CPU until kill -9). So the
 * embedded store never lets it get there: it opens, and starts each
 * transaction, only while the disk keeps a reserve free, and stops the
 * command cleanly before that. What was committed stays; a re-run completes
 * the rest once space is freed.
 */

import { statfsSync } from 'node:fs';
import { storageError } from '../domain/errors.js';
import type { Database } from './database.js';

/**
 * Kept free by every write: PGlite holds written pages in its 128 MB buffer
 * pool and puts them on disk only at a checkpoint (measured: the data files
 * grew from 53 MB to 192 MB as a 200,000-row import closed the store), so the
 * disk must have room for all of them, plus a batch, new 16 MB log segments
 * and a margin.
 */
export const DISK_RESERVE_BYTES = 192 * 1024 * 1024;
/** Room to open an existing store (recovery may write a log segment): enough to read it. */
export const OPEN_RESERVE_BYTES = 16 * 1024 * 1024;

const megabytes = (bytes: number) => `${Math.floor(bytes / (1024 * 1024))} MB`;

function freeBytes(dir: string): number {
  const stats = statfsSync(dir);
  return stats.bavail * stats.bsize;
}

/** Throws `disk-full` unless the disk holding `dir` has `reserve` bytes free. */
export function assertRoom(dir: string, reserve = DISK_RESERVE_BYTES): void {
  const free = freeBytes(dir);
  if (free >= reserve) return;
  throw storageError(
    'disk-full',
    {
      value: dir,
      detail: `${megabytes(free)} free, and the embedded store needs ${megabytes(reserve)} spare to go on safely`,
    },
    'free some space there (or choose another --data-dir), then run the same command again: it completes what was not committed',
  );
}

/** Every write transaction first checks that the disk has room to finish it. */
export function guardTransactions(db: Database, dataDir: string): void {
  const transaction = db.transaction.bind(db);
  db.transaction = (work, config) => {
    assertRoom(dataDir);
    return transaction(work, config);
  };
}
