/**
 * Embedded PostgreSQL (PGlite) in a data directory. PGlite is one process's
 * database: a second process opening the same directory would destroy it, so
 * the directory is locked, by the kernel, for as long as it is open, and other
 * processes wait their turn (concurrent runs behave as if run one after
 * another). See store-lock.ts and disk-space.ts for the two ways a store was
 * lost before.
 */

import type { Transaction as PGliteTransaction } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import * as schema from './schema.js';
import type { CopySender, Database, EmbeddedStoreOptions, Store } from './database.js';
import { copyChunks, copyWriter } from './bulk-copy.js';
import { assertRoom, guardTransactions } from './disk-space.js';
import { openEmbeddedDatabase } from './embedded-database.js';
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
