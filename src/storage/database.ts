/**
 * What every storage module shares: the store both drivers hand out, as one
 * drizzle database type so repositories are written once, and the row shapes
 * the writers send. Opening a store is `open-store.ts`; this file imports
 * nothing of the drivers, so the drivers and writers can all depend on it.
 */

import type { SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type * as schema from './schema.js';
import type { contacts, enquiries } from './schema.js';

export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];
/** Anything a query can run on: the database or a transaction. */
export type Executor = Database | Transaction;

export type ContactRow = typeof contacts.$inferInsert;
export type EnquiryRow = typeof enquiries.$inferInsert;

/** Writes rows that passed classification; replaceable so bulk import can use COPY. */
export type RowWriter = (tx: Transaction, contactRows: ContactRow[], enquiryRows: EnquiryRow[]) => Promise<void>;

/** Sends COPY text for one table inside the drizzle transaction `tx`. */
export type CopySender = (tx: Transaction, table: string, columns: readonly string[], text: string) => Promise<void>;

type DriverName = 'postgres' | 'pglite';

export interface EmbeddedStoreOptions {
  /** False for reading commands: a directory without a store is an error, not a new store. */
  create?: boolean;
  /** Told once when the embedded store is busy with another process and this one waits. */
  onWait?: (message: string) => void;
  /** Something the user should know about the store, said once at open. */
  onWarning?: (message: string) => void;
  /** Ends a wait for the embedded store. */
  signal?: AbortSignal;
}

export interface StoreOptions extends EmbeddedStoreOptions {
  databaseUrl?: string | undefined;
  dataDir: string;
}

export interface Store {
  readonly db: Database;
  readonly driver: DriverName;
  /** Where the data lives, for messages (a URL without its password, or a directory). */
  readonly location: string;
  /** Writes history rows with COPY inside the current transaction. */
  readonly bulkWriter: RowWriter;
  /** Sends COPY text for one table inside the current transaction. */
  readonly copy: CopySender;
  /**
   * Streams a query's rows out with COPY in its text format, in chunks of
   * whole lines (a server only: PGlite's COPY TO collects the whole output in
   * memory). `copyTextValue` decodes a field.
   */
  readonly copyOut?: (query: SQL) => AsyncIterable<string>;
  close(): Promise<void>;
}

/** Rows of a raw query: postgres.js returns an array, PGlite an object holding one. */
export async function rows<T>(executor: Executor, query: SQL): Promise<T[]> {
  const result = (await executor.execute(query)) as unknown;
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'the given DATABASE_URL';
  }
}
