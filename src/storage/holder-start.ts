/**
 * Reaching an embedded store's resident holder (holder-server.ts): whether
 * it answers on the store's socket, and starting it, detached, when none
 * does. No database code: a command starts the holder while it loads its
 * own (open-store.ts), and the two overlap.
 */

import { spawn } from 'node:child_process';
import { mkdirSync, openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { storageError } from '../domain/errors.js';
import type { EmbeddedStoreOptions } from './database.js';
import { noStoreAt } from './database-errors.js';
import { CLI_BIN, HOLDER_SAYS, type HolderAddress, holderAddress, trustedHolderSocket } from './holder-address.js';
import { holdsStore, makePrivateDir } from './private-dir.js';
import { answers, lockHolder } from './store-lock.js';

/** How often a starting client looks whether another holder answers already. */
const OTHER_HOLDER_POLL_MS = 100;

/** How long a starting holder's wait for the store goes unsaid (another holder opening it holds it as long). */
const WAIT_TOLD_AFTER_MS = 3000;

/** How many times a client starts a holder, or waits for another's, before giving up. */
const START_ATTEMPTS = 3;
/** How long a client waits for a holder another command started to open the store. */
const HOLDER_START_WAIT_MS = 60_000;

export interface HolderStartOptions extends EmbeddedStoreOptions {
  /** The environment the holder is started with (its quiet period, lock folder). */
  env: Readonly<Record<string, string | undefined>>;
}

type StartOutcome = 'ready' | 'busy';

/**
 * Node's options for the holder. V8 first compiles PGlite's WebAssembly with
 * its baseline compiler and then optimises whatever has run a while; by
 * default that starts while PGlite opens and serves its first commands,
 * costing about a second of CPU just as the first command waits. A larger
 * tiering budget leaves the optimising to code that runs long, as an import
 * does. Measured 2026-12-07 (holder CPU, machine loaded): start 1.16 s →
 * 0.81 s, its first `record` 1.10 s → 0.48 s, a 100,000-row import 19.6 s →
 * 20.4 s. Figures and alternatives: docs/performance.md.
 */
const HOLDER_NODE_OPTIONS = ['--wasm-tiering-budget=100000000'];

/**
 * Starts `cis-contact db serve` detached, its talk to a log in the holder's
 * folder, and waits for its first word: ready, busy (another holder has the
 * store), or why it failed. It outlives this command.
 */
function startHolder(dataDir: string, address: HolderAddress, options: HolderStartOptions): Promise<StartOutcome> {
  mkdirSync(address.folder, { recursive: true, mode: 0o700 });
  const log = openSync(join(address.folder, 'holder.log'), 'a', 0o600);
  const child = spawn(process.execPath, [...HOLDER_NODE_OPTIONS, CLI_BIN, 'db', 'serve', '--data-dir', dataDir], {
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
async function untilAnswered(dataDir: string, address: HolderAddress, options: HolderStartOptions): Promise<void> {
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
 * The store's holder, answering: reached, or started and waited for. The
 * address it answers on, or undefined where no holder can serve the store (a
 * path too long for a socket): the caller then opens it in its own process.
 */
export async function reachHolder(dataDir: string, options: HolderStartOptions): Promise<HolderAddress | undefined> {
  const address = holderAddress(dataDir);
  if (!address) return undefined;
  if (options.create === false && !holdsStore(dataDir)) throw noStoreAt(dataDir);
  makePrivateDir(dataDir);
  await untilAnswered(dataDir, address, options);
  return address;
}
