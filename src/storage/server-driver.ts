/** PostgreSQL server through postgres.js. */

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

export async function openServerStore(url: string): Promise<Store> {
  const location = redactUrl(url);
  let client: postgres.Sql;
  try {
    client = postgres(url, {
      max: 4,
      onnotice: () => {},
      connect_timeout: 10,
      connection: { application_name: 'cis-contact' },
    });
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
