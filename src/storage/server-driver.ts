/** PostgreSQL server through postgres.js. */

import net from 'node:net';
import postgres from 'postgres';
import { drizzle } from 'drizzle-orm/postgres-js';
import { storageError } from '../domain/errors.js';
import { BatchRefused, asStorageFailure } from './errors.js';
import * as schema from './schema.js';
import { type Database, type Store, type Transaction, redactUrl } from './database.js';
import { type CopySender, copyWriter } from './bulk-copy.js';

/** The postgres.js transaction behind a drizzle transaction. */
function clientOf(tx: Transaction): postgres.TransactionSql {
  return (tx as unknown as { session: { client: postgres.TransactionSql } }).session.client;
}

const copy: CopySender = async (tx, table, columns, text) => {
  if (text === '') return;
  const client = clientOf(tx);
  const target = await client`copy ${client(table)} (${client(columns as string[])}) from stdin`.writable();
  const finished = new Promise<void>((resolve, reject) => {
    target.once('finish', resolve);
    target.once('error', reject);
  });
  finished.catch(() => {});
  await new Promise<void>((resolve, reject) => target.write(text, (error) => (error ? reject(error) : resolve())));
  target.end();
  // Let the stream send CopyDone before anything else goes down the connection.
  await new Promise((resolve) => setImmediate(resolve));
  // postgres.js never settles a COPY the server refused (porsager/postgres#1173), but
  // does run the next query on the connection: it succeeds after a good COPY, and
  // fails (the transaction is aborted) after a refused one.
  await client`select 1`.catch((error: unknown) => {
    // A connection lost mid-COPY is not a refusal of the rows: it must fail the command, not reject them.
    if (asStorageFailure(error, '')) throw error;
    throw new BatchRefused(table);
  });
  await finished;
};

/** What postgres.js passes to its `socket` option: the parsed connection options, the same object each time. */
interface SocketTarget {
  host: string[];
  port: number[];
  path: string | false;
}

const nextHost = new WeakMap<SocketTarget, number>();

/**
 * postgres.js leaves Nagle's algorithm on, so a small message right after a
 * large one (the COMMIT after a COPY) waits for the server's delayed ACK: 40 ms
 * a batch on Linux, measured as a third of an import's time. The driver opens
 * the socket itself, with noDelay. It is handed back still connecting (writes
 * wait in it), so postgres.js's own connect timeout, error handling and turn
 * to the next host of a multi-host URL work as with its own sockets; each
 * call takes the next host, as postgres.js does.
 */
function socketWithoutDelay(target: SocketTarget): net.Socket {
  if (target.path) return net.connect({ path: target.path });
  const i = nextHost.get(target) ?? 0;
  nextHost.set(target, (i + 1) % target.host.length);
  const host = target.host[i]!;
  const socket = net.connect({ host, port: target.port[i] ?? target.port[0]!, noDelay: true });
  // postgres.js names the TLS server after it.
  return Object.assign(socket, { host });
}

export async function openServerStore(url: string): Promise<Store> {
  const location = redactUrl(url);
  let client: postgres.Sql;
  try {
    // `socket` is a documented option that postgres.js's type definitions leave out.
    const options = {
      max: 4,
      onnotice: () => {},
      connect_timeout: 10,
      // Short keyset-page queries: JIT compiling them costs 30 times their run time when the planner's row
      // estimates are stale (measured: 116 ms of JIT for a 3.8 ms page right after a bulk import).
      connection: { application_name: 'cis-contact', jit: 'off' },
      socket: socketWithoutDelay,
    };
    client = postgres(url, options as postgres.Options<Record<string, never>>);
  } catch (error) {
    throw storageError('database-url-invalid', `DATABASE_URL is not a PostgreSQL connection URL: ${(error as Error).message}`,
      'use the form postgres://user:password@host:5432/database');
  }
  const db = drizzle(client, { schema }) as unknown as Database;
  return {
    db,
    driver: 'postgres',
    location,
    bulkWriter: copyWriter(copy),
    copy,
    close: () => client.end({ timeout: 5 }),
  };
}
