/**
 * A command's side of the resident holder (holder-server.ts): reach the
 * store's holder, starting it (detached) when none answers, and talk to it
 * through postgres.js as to a server. The store handed out is still the
 * embedded store (driver `pglite`: it migrates itself, has no roles), only
 * reached over a socket; it writes bulk rows with INSERT, since PGlite
 * cannot take COPY FROM STDIN over the wire.
 */

import { spawn } from 'node:child_process';
import { mkdirSync, openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { sql } from 'drizzle-orm';
import { storageError } from '../domain/errors.js';
import { copyTextValue, copyWriter } from './bulk-copy.js';
import type { ServerConnection } from './connection.js';
import type { CopySender, EmbeddedStoreOptions, Store } from './database.js';
import { noStoreAt } from './database-errors.js';
import { assertRoom, guardTransactions } from './disk-space.js';
import { CLI_BIN, HOLDER_PORT, type HolderAddress, holderAddress, trustedHolderSocket } from './holder-address.js';
import { holdsStore, makePrivateDir } from './private-dir.js';
import { openServerStore } from './server-driver.js';
import { answers, lockHolder } from './store-lock.js';

/** What the holder says on its standard output while it starts, one line each. */
export const HOLDER_SAYS = { ready: 'ready', busy: 'busy', waiting: 'waiting ', failed: 'failed ' } as const;

/** How often a starting client looks whether another holder answers already. */
const OTHER_HOLDER_POLL_MS = 100;

/** How long a starting holder's wait for the store goes unsaid (another holder opening it holds it as long). */
const WAIT_TOLD_AFTER_MS = 3000;

/** How many times a client starts a holder, or waits for another's, before giving up. */
const START_ATTEMPTS = 3;
/** How long a client waits for a holder another command started to open the store. */
const HOLDER_START_WAIT_MS = 60_000;

export interface HeldStoreOptions extends EmbeddedStoreOptions {
  /** The environment the holder is started with (its quiet period, lock folder). */
  env: Readonly<Record<string, string | undefined>>;
  applicationName: string;
}

type StartOutcome = 'ready' | 'busy';

/**
 * Starts `cis-contact db serve` detached, its talk to a log in the holder's
 * folder, and waits for its first word: ready, busy (another holder has the
 * store), or why it failed. It outlives this command.
 */
function startHolder(dataDir: string, address: HolderAddress, options: HeldStoreOptions): Promise<StartOutcome> {
  mkdirSync(address.folder, { recursive: true, mode: 0o700 });
  const log = openSync(join(address.folder, 'holder.log'), 'a', 0o600);
  const child = spawn(process.execPath, [CLI_BIN, 'db', 'serve', '--data-dir', dataDir], {
    detached: true,
    stdio: ['ignore', 'pipe', log],
    env: { ...options.env, CIS_CONTACT_NO_HOLDER: '' },
  });
  closeSync(log);
  const stdout = child.stdout;
  if (!stdout) throw new Error('the holder was started without a pipe for its word');
  return new Promise<StartOutcome>((resolve, reject) => {
    let settled = false;
    let waitTold: NodeJS.Timeout | undefined;
    // Another holder may take the store first (commands started together): its socket answering ends this
    // one's wait for the lock, which that holder keeps for as long as it serves. Looked at while the child starts.
    const otherHolder = setInterval(() => {
      void (async () => {
        if (settled || !(await holderAnswers(dataDir, address))) return;
        // The holder that answers may be this very child, its word still on the way: only another's counts.
        const holder = await lockHolder(dataDir, { socketDir: options.env.CIS_CONTACT_LOCK_SOCKET_DIR });
        if (settled || !holder || holder.startsWith(`pid ${child.pid}:`)) return;
        child.kill('SIGTERM');
        done('busy');
      })();
    }, OTHER_HOLDER_POLL_MS);
    const done = (outcome: StartOutcome | Error) => {
      if (settled) return;
      settled = true;
      clearInterval(otherHolder);
      clearTimeout(waitTold);
      lines.close();
      stdout.destroy();
      child.unref();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    const lines = createInterface({ input: stdout });
    lines.on('line', (line) => {
      if (line === HOLDER_SAYS.ready) done('ready');
      else if (line === HOLDER_SAYS.busy) done('busy');
      else if (line.startsWith(HOLDER_SAYS.waiting)) {
        // Said only if the wait lasts: a holder started a moment before keeps the lock but a moment.
        const message = line.slice(HOLDER_SAYS.waiting.length);
        waitTold = setTimeout(() => options.onWait?.(message), WAIT_TOLD_AFTER_MS);
      } else if (line.startsWith(HOLDER_SAYS.failed)) {
        done(
          storageError(
            'database-unavailable',
            {
              value: dataDir,
              detail: `the store's holder could not start (${line.slice(HOLDER_SAYS.failed.length)})`,
            },
            'run the command again with --no-holder to open the store in its own process',
          ),
        );
      }
    });
    child.once('error', (error) => done(error));
    child.once('exit', (code) =>
      done(
        storageError(
          'database-unavailable',
          {
            value: dataDir,
            detail: `the store's holder ended as it started (exit ${code ?? 'by a signal'}; see ${join(address.folder, 'holder.log')})`,
          },
          'run the command again with --no-holder to open the store in its own process',
        ),
      ),
    );
  });
}

/** Whether this account's holder answers on the store's socket. */
async function holderAnswers(dataDir: string, address: HolderAddress): Promise<boolean> {
  return trustedHolderSocket(dataDir, address) && (await answers(address.socket));
}

/** Waits for a holder another command started to answer, for at most HOLDER_START_WAIT_MS. */
async function answersWithin(dataDir: string, address: HolderAddress): Promise<boolean> {
  const giveUp = Date.now() + HOLDER_START_WAIT_MS;
  while (Date.now() < giveUp) {
    if (await holderAnswers(dataDir, address)) return true;
    await new Promise((resolve) => setTimeout(resolve, OTHER_HOLDER_POLL_MS));
  }
  return false;
}

/**
 * Until a trusted holder answers: starting one when none does. A holder
 * another command started a moment before (commands started together) has
 * the store's lock while it opens PGlite: this command then waits for that
 * one instead of starting more.
 */
async function reachHolder(dataDir: string, address: HolderAddress, options: HeldStoreOptions): Promise<void> {
  for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
    if (await holderAnswers(dataDir, address)) return;
    if ((await startHolder(dataDir, address, options)) === 'ready') return;
    if (await answersWithin(dataDir, address)) return;
  }
  throw storageError(
    'database-unavailable',
    {
      value: dataDir,
      detail: 'its holder did not answer',
    },
    'stop it with cis-contact db stop, or run with --no-holder',
  );
}

/**
 * COPY text sent as INSERT: each line's values decoded as COPY would read
 * them (`\N` is null; the escapes undone) and given to the server as JSON
 * rows, which it converts to each column's type with the type's own input,
 * as COPY does.
 */
const insertAsCopy =
  (dataDir: string): CopySender =>
  async (tx, table, columns, text) => {
    if (text.length === 0) return;
    assertRoom(dataDir);
    const lines = text.join('').split('\n');
    lines.pop(); // the text ends with a line break
    const rows = lines.map((line) => {
      const fields = line.split('\t');
      if (fields.length !== columns.length) {
        throw new Error(`a COPY line for ${table} has ${fields.length} fields for ${columns.length} columns`);
      }
      const row: Record<string, string | null> = {};
      columns.forEach((column, i) => {
        const field = fields[i] ?? '\\N';
        row[column] = field === '\\N' ? null : copyTextValue(field);
      });
      return row;
    });
    const target = sql.raw(`public.${table}`);
    const list = sql.raw(columns.join(', '));
    await tx.execute(
      sql`insert into ${target} (${list}) select ${list} from pg_catalog.json_populate_recordset(null::${target}, ${JSON.stringify(rows)}::pg_catalog.json)`,
    );
  };

/**
 * The embedded store through its holder, or undefined where no holder can
 * serve it (a path too long for a socket): the caller then opens it in its own process.
 */
export async function openHeldStore(dataDir: string, options: HeldStoreOptions): Promise<Store | undefined> {
  const address = holderAddress(dataDir);
  if (!address) return undefined;
  if (options.create === false && !holdsStore(dataDir)) throw noStoreAt(dataDir);
  makePrivateDir(dataDir);
  await reachHolder(dataDir, address, options);
  const connection: ServerConnection = {
    hosts: [address.folder],
    ports: [HOLDER_PORT],
    database: 'postgres',
    user: 'postgres',
    password: undefined,
    sslMode: 'disable',
    sslRootCert: undefined,
    applicationName: undefined,
    connectTimeout: 30,
    location: dataDir,
  };
  const served = await openServerStore(connection, options.applicationName, { connections: 1 });
  guardTransactions(served.db, dataDir);
  const copy = insertAsCopy(dataDir);
  return {
    db: served.db,
    driver: 'pglite',
    location: dataDir,
    bulkWriter: copyWriter(copy),
    copy,
    close: () => served.close(),
  };
}
