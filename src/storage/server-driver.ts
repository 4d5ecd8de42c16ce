/** PostgreSQL server through postgres.js. */

import postgres from 'postgres';
import { drizzle } from 'drizzle-orm/postgres-js';
import { storageError } from '../domain/errors.js';
import * as schema from './schema.js';
import { type Database, type Store, redactUrl } from './database.js';

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
    close: () => client.end({ timeout: 5 }),
  };
}
