/**
 * The schema version this client was built for: how many migrations it ships
 * in `drizzle/` (schema-version.ts compares it with a store's). Apart from
 * the database code, so that messages and start-up can name it without
 * loading drizzle.
 */

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle', import.meta.url));

interface Journal {
  entries: { when: number; tag: string }[];
}

function readJournal(): Journal {
  return JSON.parse(readFileSync(`${MIGRATIONS_FOLDER}/meta/_journal.json`, 'utf8')) as Journal;
}

/** The version this client writes: how many migrations it ships. */
export const CLIENT_SCHEMA_VERSION = readJournal().entries.length;
