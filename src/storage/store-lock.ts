/**
 * One process at a time per embedded store, decided by the kernel, never by a
 * timer. PGlite is one process's database: two processes in one directory
 * destroy it. The holder binds a local socket name derived from the
 * directory; the kernel refuses the name to anyone else while the holder
 * lives, however long it is paused or busy, and frees it the instant the
 * holder ends, however it ends (kill -9 included). Nothing is left behind to
 * be judged stale.
 *
 * Linux: an abstract socket (no file). Windows: a named pipe. Elsewhere: a
 * socket file beside the store, taken over when connecting to it is refused
 * (its holder is gone); a paused holder still accepts connections, since the
 * kernel queues them.
 */

import { createHash } from 'node:crypto';
import { realpathSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { interruptedError } from '../domain/errors.js';

export interface StoreLock {
  release(): Promise<void>;
}

const POLL_MS = 200;

function lockAddress(dir: string): { address: string; file: boolean } {
  const id = createHash('sha256').update(realpathSync(dir)).digest('hex').slice(0, 32);
  if (process.platform === 'linux') return { address: `\0cis-contact-store-${id}`, file: false };
  if (process.platform === 'win32') return { address: `\\\\?\\pipe\\cis-contact-store-${id}`, file: false };
  // A socket path has a short length limit, so the file lives in the temporary folder.
  return { address: join(tmpdir(), `cis-contact-store-${id}.sock`), file: true };
}

function listen(address: string): Promise<net.Server | undefined> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => socket.destroy());
    server.once('error', (error: NodeJS.ErrnoException) => (error.code === 'EADDRINUSE' ? resolve(undefined) : reject(error)));
    server.listen(address, () => {
      server.unref();
      resolve(server);
    });
  });
}

/** For a socket file: is anyone still listening on it? */
function answers(address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(address);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code !== 'ECONNREFUSED' && error.code !== 'ENOENT'));
  });
}

async function tryLock(address: string, file: boolean): Promise<net.Server | undefined> {
  const server = await listen(address);
  if (server || !file || (await answers(address))) return server;
  rmSync(address, { force: true });
  return listen(address);
}

/**
 * Takes the store's lock, waiting while another live process holds it.
 * `onWait` is told once; `signal` ends the wait.
 */
export async function lockStore(dir: string, onWait?: () => void, signal?: AbortSignal): Promise<StoreLock> {
  const { address, file } = lockAddress(dir);
  let told = false;
  for (;;) {
    const server = await tryLock(address, file);
    if (server) {
      return { release: () => new Promise<void>((resolve) => server.close(() => resolve())) };
    }
    if (!told) onWait?.();
    told = true;
    if (signal?.aborted) throw interruptedError({ detail: `while waiting for ${dir}; nothing was written` });
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
