/**
 * The embedded store is as private as PostgreSQL's own data directory: only
 * its owner may read or write anything in it. PGlite creates its files
 * world-writable (0666, whatever the umask), so the directory is created
 * 0700 (nobody else can reach what is inside) and every file and folder in
 * it is brought to owner-only when the store is opened and closed.
 */

import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { storageError } from '../domain/errors.js';

const OTHERS = 0o077;

/** What was found open to group or others, to say so. */
export interface Tightened {
  /** The store's own directory was open: what it held could be reached. */
  directoryMode: number | null;
  entries: number;
}

function tightenTree(path: string): number {
  let changed = 0;
  const stat = lstatSync(path);
  if (stat.isSymbolicLink()) return 0;
  if ((stat.mode & OTHERS) !== 0) {
    chmodSync(path, stat.mode & 0o700);
    changed++;
  }
  if (stat.isDirectory()) {
    for (const name of readdirSync(path)) changed += tightenTree(join(path, name));
  }
  return changed;
}

/** Creates DIR owner-only if it is missing; refuses one owned by another account. */
export function makePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const owner = lstatSync(dir).uid;
  const me = process.getuid?.();
  if (me !== undefined && owner !== me) {
    throw storageError(
      'data-dir-unusable',
      { value: dir, detail: `it belongs to another account (uid ${owner})` },
      'use a data directory of your own (--data-dir or CIS_CONTACT_DATA_DIR), or run as the account that owns it',
    );
  }
}

/** Brings DIR and everything in it to owner-only; says what was open. */
export function tightenPrivateDir(dir: string): Tightened {
  const mode = lstatSync(dir).mode & 0o777;
  const entries = tightenTree(dir);
  return { directoryMode: (mode & OTHERS) !== 0 ? mode : null, entries };
}

/** Whether DIR holds an embedded store's database files. */
export function holdsStore(dataDir: string): boolean {
  return existsSync(`${dataDir}/pgdata/PG_VERSION`);
}
