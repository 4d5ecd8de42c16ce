/**
 * The resident holder: one process that opens an embedded store's PGlite
 * once, under the store's lock, and serves it over a Unix socket inside the
 * store's private folder, so each command is a quick client instead of
 * opening PGlite itself (holder-client.ts starts and reaches it). It leaves
 * after a quiet period with no client connected, on `cis-contact db stop` or
 * on SIGTERM: it stops taking connections, rolls back any transaction a
 * client left open, closes PGlite (bringing its files to owner-only) and lets
 * go of the lock. Only it opens the store's files while it runs: a second
 * holder, or a command run with --no-holder, waits for the lock like any
 * other process.
 */

import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import { storageError } from '../domain/errors.js';
import { openEmbeddedDatabase } from './embedded-database.js';
import { CLI_BIN, type HolderAddress, holderAddress } from './holder-address.js';
import { holdsStore } from './private-dir.js';
import type { LockOptions } from './store-lock.js';
import { WireRelay } from './wire-relay.js';

export interface HolderOptions {
  /** How long the holder stays with no client connected before it leaves. */
  idleMs: number;
  lock: LockOptions;
  /** Told when another process holds the store and the holder waits for it. */
  onWait: (message: string) => void;
  /** Ends a wait for the store's lock. */
  signal: AbortSignal;
  /** The environment a new store is made with. */
  env: Readonly<Record<string, string | undefined>>;
}

export interface Holder {
  readonly address: HolderAddress;
  /** Settles when the holder has left (quiet period, `stop`, or a failure of PGlite's), with why. */
  readonly stopped: Promise<string>;
  /** Leaves now: new connections refused, what a client left open rolled back, the store closed. */
  stop(reason: string): Promise<string>;
}

/** How long a holder stays with no client unless told otherwise (CIS_CONTACT_HOLDER_IDLE, in seconds). */
export const DEFAULT_HOLDER_IDLE_SECONDS = 300;

function listen(server: net.Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Makes a new store in a process of its own (`db migrate --no-holder`), which
 * takes the store's lock like any other. PGlite takes about 800 MB to create
 * a store and keeps it until the process ends; the holder, which stays, then
 * opens an existing store (about 350 MB).
 */
function createStore(dataDir: string, env: Readonly<Record<string, string | undefined>>): void {
  const made = spawnSync(process.execPath, [CLI_BIN, '--no-holder', 'db', 'migrate', '--data-dir', dataDir], {
    env: { ...env, DATABASE_URL: '' },
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (made.status !== 0) {
    throw storageError('database-unavailable', {
      value: dataDir,
      detail: `the new store could not be made (${made.stderr.trim() || `exit ${made.status ?? made.signal}`})`,
    });
  }
}

export async function startHolder(dataDir: string, options: HolderOptions): Promise<Holder> {
  const address = holderAddress(dataDir);
  if (!address) {
    throw storageError(
      'data-dir-unusable',
      {
        value: dataDir,
        detail: "its path is too long for the holder's socket",
      },
      'run with --no-holder, or choose a shorter --data-dir',
    );
  }
  if (!holdsStore(dataDir)) createStore(dataDir, options.env);
  const opened = await openEmbeddedDatabase(dataDir, {
    create: true,
    lock: options.lock,
    signal: options.signal,
    onWait: options.onWait,
  });
  // Under the lock, no other holder lives: whatever is at the socket's path was left by one that was killed.
  mkdirSync(address.folder, { recursive: true, mode: 0o700 });
  chmodSync(address.folder, 0o700);
  rmSync(address.socket, { force: true });

  let settle: (reason: string) => void = () => {};
  const stopped = new Promise<string>((resolve) => (settle = resolve));
  let stopping: Promise<string> | undefined;
  let idleTimer: NodeJS.Timeout | undefined;

  const server = net.createServer((socket) => relay.attach(socket));
  const relay: WireRelay = new WireRelay(opened.client, {
    onFatal: (error) => void stop(`the embedded database failed (${(error as Error).message ?? String(error)})`),
    onClients: (count) => {
      clearTimeout(idleTimer);
      if (count === 0) idleTimer = setTimeout(() => void stop('quiet period over'), options.idleMs);
    },
  });

  const stop = (reason: string): Promise<string> => {
    stopping ??= (async () => {
      clearTimeout(idleTimer);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await relay.closeAll();
      rmSync(address.socket, { force: true });
      await opened.close();
      settle(reason);
      return reason;
    })();
    return stopping;
  };

  try {
    await listen(server, address.socket);
    chmodSync(address.socket, 0o600);
  } catch (error) {
    await opened.close();
    throw storageError('data-dir-unusable', {
      value: dataDir,
      detail: `the holder cannot listen on ${address.socket} (${(error as Error).message})`,
    });
  }
  idleTimer = setTimeout(() => void stop('quiet period over'), options.idleMs);
  return { address, stopped, stop };
}
