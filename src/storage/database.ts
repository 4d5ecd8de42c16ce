/**
 * What every storage module shares: the store both drivers hand out, as one
 * drizzle database type so repositories are written once, and the row shapes
 * the writers send. Opening a store is `open-store.ts`; this file imports
 * nothing of the drivers, so the drivers and writers can all depend on it.
 */

import type { LockOptions } from './store-lock.js';
import type { SQL } from 'drizzle-orm';
import type { CanonicalTemplate, PendingEntry } from '../domain/audit.js';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type * as schema from './schema.js';
import type { ServerConnection } from './connection.js';
import type { contacts, enquiries } from './schema.js';

export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];
/** Anything a query can run on: the database or a transaction. */
export type Executor = Database | Transaction;

export type ContactRow = typeof contacts.$inferInsert;
export type EnquiryRow = typeof enquiries.$inferInsert;

/**
 * A contact's COPY lines but for the values its writer places under the chain
 * lock (its seq, its writer, its chain hashes): the text around them, made
 * while the contact is checked.
 */
export interface CopyTemplate {
  /** The contact's line, one more part than the values placed in it. */
  contact: string[];
  /** Each enquiry's line after its contact's seq. */
  enquiries: string[];
}

/** One contact to store on one record, in every form its writer needs but for its place and time. */
interface PreparedContact {
  /** Its chain entry, but for its place and time. */
  entry: PendingEntry;
  contentHash: string;
  /** The entry's canonical text around the placed values. */
  canonical: CanonicalTemplate;
  copy: CopyTemplate;
}

/** Stored all or nothing: a contact, or every partner's copy of a partnership contact. */
export interface PreparedUnit {
  contacts: PreparedContact[];
}

/** The new contacts of one transaction, in chain order, sent to the database at the end. */
interface HistoryBatch {
  add(contact: PreparedContact, seq: number, prevHash: string, hash: string): void;
  write(tx: Transaction): Promise<void>;
}

/** How new contacts reach their tables (INSERT, or COPY for the bulk import): a batch for each transaction, written by `login`. */
export interface HistoryWriter {
  batch(login: string): HistoryBatch;
}

/**
 * Sends COPY text for one table of the `public` schema inside the drizzle transaction `tx`: the
 * text is its pieces in order (together whole lines; a piece need not be a
 * line), which the driver sends without first making them one string (a
 * batch's would be megabytes, allocated straight into the old generation).
 */
export type CopySender = (
  tx: Transaction,
  table: string,
  columns: readonly string[],
  text: readonly string[],
) => Promise<void>;

type DriverName = 'postgres' | 'pglite';

export interface EmbeddedStoreOptions {
  /** False for reading commands: a directory without a store is an error, not a new store. */
  create?: boolean;
  /** Told when the embedded store is busy with another process and this one waits (again now and then, through the holder). */
  onWait?: (message: string) => void;
  /** Something the user should know about the store, said once at open. */
  onWarning?: (message: string) => void;
  /** Ends a wait for the embedded store. */
  signal?: AbortSignal;
  /** Where the embedded store's lock lives, and what its holder tells a waiter. */
  lock?: LockOptions;
}

export interface StoreOptions extends EmbeddedStoreOptions {
  /** The server to use; without one, the embedded store in `dataDir`. */
  server?: ServerConnection | undefined;
  dataDir: string;
  /** What the server's sessions are called unless the user named them (`cis-contact/VERSION COMMAND`). */
  applicationName?: string;
  /** Reach the embedded store through its resident holder, started with this environment if none runs. */
  holder?: { env: Readonly<Record<string, string | undefined>> };
}

export interface Store {
  readonly db: Database;
  readonly driver: DriverName;
  /** Where the data lives, for messages (a URL without its password, or a directory). */
  readonly location: string;
  /** Writes new contacts with COPY inside the current transaction. */
  readonly bulkWriter: HistoryWriter;
  /** Sends COPY text for one table inside the current transaction. */
  readonly copy: CopySender;
  /**
   * Streams a query's rows out with COPY in its text format, in chunks of
   * whole lines (a server only: PGlite's COPY TO collects the whole output in
   * memory). `copyTextValue` decodes a field.
   */
  readonly copyOut?: (query: SQL) => AsyncIterable<string>;
  /** Lets go of the store; `now`: a server's connections at once, without waiting for a statement under way. */
  close(options?: { now?: boolean }): Promise<void>;
}

/** Rows of a raw query: postgres.js returns an array, PGlite an object holding one. */
export async function rows<T>(executor: Executor, query: SQL): Promise<T[]> {
  const result: unknown = await executor.execute(query);
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}
