/**
 * One process at a time per embedded store, decided by the kernel, never by a
 * timer. PGlite is one process's database: two processes in one directory
 * destroy it. The holder binds a local socket, a file inside the store's own
 * folder; the kernel refuses the name to anyone else while the holder lives,
 * however long it is paused or busy. The folder is its owner's only (0700,
 * private-dir.ts), so no other account can bind, connect to or remove the
 * socket: nobody else can hold the store's lock or make its owner wait. (An
 * abstract socket, which has no file, has no permissions either: any account
 * could bind its name first.) Windows: a named pipe.
 *
 * A socket file outlives a holder that was killed, so a waiter that finds the
 * name taken connects to it: a live holder answers, even paused (the kernel
 * queues the connection), and says who it is; a dead one is refused, and its
 * file must go before the name can be bound again. Two waiters that both find
 * it dead must not both remove it and both bind (the second would remove the
 * first's live socket), so the file is only bound or removed by a process
 * holding a takeover mutex, a directory beside it that `mkdir` creates for
 * one process only, and the verdict is taken again under that mutex. See
 * takeOver. The mutex is held for milliseconds; only one left by a process
 * that died inside a takeover is ever judged stale, by its age (takeMutex).
 */

import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { interruptedError } from '../domain/errors.js';

export interface StoreLock {
  release(): Promise<void>;
}

const POLL_MS = 200;

export interface LockOptions {
  /**
   * Use a socket file in this folder instead of the store's own: for testing
   * takeovers in a folder of the test's. CIS_CONTACT_LOCK_SOCKET_DIR does the same.
   */
  socketDir?: string | undefined;
  /** The command's arguments, which a waiter is told (with this process's pid). */
  args?: readonly string[];
}

/** The socket's name inside the store's folder. */
const SOCKET_NAME = 'cis-contact.lock';
/** A socket's path has a short length limit (108 bytes on Linux, with its terminating zero). */
const SOCKET_PATH_MAX = 100;

interface LockAddress {
  address: string;
  file: boolean;
  /** On Linux, for a store whose path is too long to bind: the folder, open, reached as /proc/self/fd/N. */
  folderFd?: number;
}

function lockAddress(dir: string, options: LockOptions): LockAddress {
  const real = realpathSync(dir);
  const id = createHash('sha256').update(real).digest('hex').slice(0, 32);
  const socketDir = options.socketDir;
  if (socketDir) return { address: join(socketDir, `cis-contact-store-${id}.sock`), file: true };
  if (process.platform === 'win32') return { address: `\\\\?\\pipe\\cis-contact-store-${id}`, file: false };
  const inside = join(real, SOCKET_NAME);
  if (Buffer.byteLength(inside) <= SOCKET_PATH_MAX) return { address: inside, file: true };
  if (process.platform === 'linux') {
    // The folder itself, by a short name only this process's open descriptor gives.
    const folderFd = openSync(real, 'r');
    return { address: `/proc/self/fd/${folderFd}/${SOCKET_NAME}`, file: true, folderFd };
  }
  // Elsewhere (macOS): the temporary folder, which is the account's own there.
  return { address: join(tmpdir(), `cis-contact-store-${id}.sock`), file: true };
}

/** Who this process is, for a waiter to say: its pid and command line (the holder is always this account's). */
function whoAmI(args: readonly string[]): string {
  const command = ['cis-contact', ...args].join(' ').replace(/[\p{Cc}\p{Cf}]/gu, '?');
  return `pid ${process.pid}: ${command.length > 120 ? `${command.slice(0, 119)}…` : command}`;
}

function listen(address: string, me: string): Promise<net.Server | undefined> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => {
      // A waiter asking who holds the store; one that hangs up first is no concern of the holder's.
      socket.on('error', () => {});
      socket.end(me);
    });
    server.once('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EADDRINUSE' ? resolve(undefined) : reject(error),
    );
    server.listen(address, () => {
      server.unref();
      resolve(server);
    });
  });
}

/** How long a waiter asks the holder who it is before saying it waits without knowing (a paused holder does not answer). */
const ASK_MS = 1000;

/** The holder's answer (pid and command), or undefined when it does not answer at once. */
function whoHolds(address: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    let answer = '';
    const socket = net.connect(address);
    const done = (value: string | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => done(undefined), ASK_MS);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk).length > 500 && done(answer.slice(0, 500)));
    socket.once('end', () => done(answer || undefined));
    socket.once('error', () => done(undefined));
  });
}

/** For a socket file: is anyone still listening on it? (Also how a client looks for the store's resident holder.) */
export function answers(address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(address);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', (error: NodeJS.ErrnoException) =>
      resolve(error.code !== 'ECONNREFUSED' && error.code !== 'ENOENT'),
    );
  });
}

/**
 * A takeover lasts milliseconds; a mutex this old was left by a process that
 * died (or was stopped) inside one. Only then does the age of anything count.
 */
const TAKEOVER_STALE_MS = 10_000;

/** The inode of what is at `path` now, or undefined if nothing is. */
function inodeOf(path: string): number | undefined {
  try {
    return statSync(path).ino;
  } catch {
    return undefined;
  }
}

/**
 * Takes the takeover mutex, or says it is busy. A stale one is moved aside
 * under a name of this process's own (rename is atomic: one waiter gets it)
 * and removed only if it is still the very directory judged stale; one that
 * another waiter made fresh meanwhile is put back, and the mutex is busy.
 */
function takeMutex(mutex: string): boolean {
  try {
    mkdirSync(mutex);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  let judged;
  try {
    judged = statSync(mutex);
  } catch {
    return false;
  }
  if (Date.now() - judged.mtimeMs < TAKEOVER_STALE_MS) return false;
  const aside = `${mutex}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    renameSync(mutex, aside);
  } catch {
    return false;
  }
  if (inodeOf(aside) !== judged.ino) {
    try {
      renameSync(aside, mutex);
    } catch {
      rmSync(aside, { recursive: true, force: true });
    }
    return false;
  }
  rmSync(aside, { recursive: true, force: true });
  return false;
}

/**
 * For a socket file: under the takeover mutex, bind the name, removing the
 * file first if, asked again now, nobody answers on it. Whoever holds the
 * mutex is the only one binding or removing, so the answer cannot change
 * under it: no live holder's socket is ever removed, and of waiters that all
 * found it dead, the first binds and the others find it live.
 */
async function takeOver(address: string, me: string): Promise<net.Server | undefined> {
  const mutex = `${address}.takeover`;
  if (!takeMutex(mutex)) return undefined;
  const ours = inodeOf(mutex);
  try {
    const server = await listen(address, me);
    if (server) return server;
    const dead = inodeOf(address);
    if (await answers(address)) return undefined;
    // Still ours, and still the file found dead: a paused takeover whose mutex was judged stale must not remove a new socket.
    if (inodeOf(mutex) !== ours || inodeOf(address) !== dead) return undefined;
    rmSync(address, { force: true });
    return await listen(address, me);
  } finally {
    if (inodeOf(mutex) === ours) rmSync(mutex, { recursive: true, force: true });
  }
}

async function tryLock(address: string, file: boolean, me: string): Promise<net.Server | undefined> {
  if (!file) return listen(address, me);
  // Cheap first: a live holder answers, and there is nothing to take over.
  if (existsSync(address) && (await answers(address))) return undefined;
  return takeOver(address, me);
}

/**
 * Takes the store's lock, waiting while another live process holds it.
 * `onWait` is told once, with who holds it (pid and command) when the holder
 * says; `signal` ends the wait.
 */
export async function lockStore(
  dir: string,
  onWait?: (holder?: string) => void,
  signal?: AbortSignal,
  options: LockOptions = {},
): Promise<StoreLock> {
  const { address, file, folderFd } = lockAddress(dir, options);
  const closeFolder = () => folderFd !== undefined && closeSync(folderFd);
  const me = whoAmI(options.args ?? []);
  let told = false;
  try {
    for (;;) {
      const server = await tryLock(address, file, me);
      if (server) {
        return {
          release: () =>
            new Promise<void>((resolve) =>
              server.close(() => {
                closeFolder();
                resolve();
              }),
            ),
        };
      }
      if (!told) onWait?.(await whoHolds(address));
      told = true;
      if (signal?.aborted) throw interruptedError({ detail: `while waiting for ${dir}; nothing was written` });
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } catch (error) {
    closeFolder();
    throw error;
  }
}

/** Who holds the store's lock now (pid and command), or undefined when nobody does or the holder does not answer at once. */
export async function lockHolder(dir: string, options: LockOptions = {}): Promise<string | undefined> {
  const { address, folderFd } = lockAddress(dir, options);
  try {
    return await whoHolds(address);
  } finally {
    if (folderFd !== undefined) closeSync(folderFd);
  }
}

/** Waits until nobody holds the store's lock, or `signal` ends the wait. */
export async function lockReleased(dir: string, options: LockOptions = {}, signal?: AbortSignal): Promise<void> {
  const { address, folderFd } = lockAddress(dir, options);
  try {
    while (await answers(address)) {
      if (signal?.aborted) throw interruptedError({ detail: `while waiting for ${dir} to be let go` });
      await new Promise((resolve) => setTimeout(resolve, POLL_MS / 4));
    }
  } finally {
    if (folderFd !== undefined) closeSync(folderFd);
  }
}
