/** PostgreSQL server through postgres.js. */

import net from 'node:net';
import postgres from 'postgres';
import { drizzle } from 'drizzle-orm/postgres-js';
import { storageError } from '../domain/errors.js';
import { BatchRefused } from './errors.js';
import * as schema from './schema.js';
import { type Database, type Store, type Transaction, redactUrl } from './database.js';
import { copyWriter } from './bulk-copy.js';

/** The postgres.js transaction behind a drizzle transaction. */
function clientOf(tx: Transaction): postgres.TransactionSql {
  return (tx as unknown as { session: { client: postgres.TransactionSql } }).session.client;
}

const bulkWriter = copyWriter(async (tx, table, columns, text) => {
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
  await client`select 1`.catch(() => {
    throw new BatchRefused(table);
  });
  await finished;
});

const CONNECT_TIMEOUT_SECONDS = 10;

/** What postgres.js passes to its `socket` option: the parsed connection options. */
interface SocketTarget {
  host: string[];
  port: number[];
  path: string | false;
}

function connectTo(options: net.NetConnectOpts & { host?: string }): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(options);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error('connection timed out'), { code: 'CONNECT_TIMEOUT' }));
    }, CONNECT_TIMEOUT_SECONDS * 1000);
    socket.once('connect', () => {
      clearTimeout(timer);
      // postgres.js names the TLS server after it.
      Object.assign(socket, { host: options.host });
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/**
 * postgres.js leaves Nagle's algorithm on, so a small message right after a
 * large one (the COMMIT after a COPY) waits for the server's delayed ACK: 40 ms
 * a batch on Linux, measured as a third of an import's time. Connecting the
 * socket here, with noDelay, removes the wait. Hosts are tried in turn, as
 * postgres.js does.
 */
async function socketWithoutDelay(target: SocketTarget): Promise<net.Socket> {
  if (target.path) return connectTo({ path: target.path });
  let failure: unknown;
  for (let i = 0; i < target.host.length; i++) {
    try {
      return await connectTo({ host: target.host[i]!, port: target.port[i] ?? target.port[0]!, noDelay: true });
    } catch (error) {
      failure = error;
    }
  }
  throw failure;
}

export async function openServerStore(url: string): Promise<Store> {
  const location = redactUrl(url);
  let client: postgres.Sql;
  try {
    // `socket` is a documented option that postgres.js's type definitions leave out.
    const options = {
      max: 4,
      onnotice: () => {},
      connect_timeout: CONNECT_TIMEOUT_SECONDS,
      connection: { application_name: 'cis-contact' },
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
    bulkWriter,
    close: () => client.end({ timeout: 5 }),
  };
}
