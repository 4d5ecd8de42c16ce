/**
 * The store lock is a socket file inside the store's own private folder (or,
 * with `socketDir`, in a folder of the test's): a dead holder's socket file is
 * taken over by exactly one waiter at a time, and a waiter is told who holds it.
 */

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lockStore } from '../../src/storage/store-lock.js';
import { until } from '../support/events.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const made: string[] = [];
afterEach(() => made.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));
function folder(name: string) {
  const dir = mkdtempSync(join(tmpdir(), name));
  made.push(dir);
  return dir;
}

/** Runs `lockStore` in a child process that holds the lock until it is killed (in the store's own folder without `socketDir`). */
async function childHolding(store: string, socketDir?: string) {
  const code = `
    import net from 'node:net';
    const { lockStore } = await import(${JSON.stringify(new URL('../../dist/storage/store-lock.js', import.meta.url).href)});
    // As the binary passes them: its command line's arguments, which a waiter is told.
    await lockStore(${JSON.stringify(store)}, undefined, undefined, { args: process.argv.slice(2)${socketDir ? `, socketDir: ${JSON.stringify(socketDir)}` : ''} });
    process.stdout.write('held\\n');
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code, 'cis-contact.js', 'import', 'held.csv'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (data: Buffer) => data.toString().includes('held') && resolve());
    child.once('exit', (exitCode) => reject(new Error(`the holder exited (${exitCode}) before it held the lock`)));
  });
  return child;
}

describe('store lock over a socket file', () => {
  it('is taken over from a holder killed -9 by exactly one of several waiters at a time, each in turn', async () => {
    const store = folder('cis-lock-store-');
    const socketDir = folder('cis-lock-sock-');
    const holder = await childHolding(store, socketDir);
    holder.kill('SIGKILL');
    await once(holder, 'exit');
    const [sock] = readdirSync(socketDir).filter((f) => f.endsWith('.sock'));
    expect(sock, 'the killed holder leaves its socket file behind').toBeDefined();

    let inside = 0;
    let most = 0;
    const turns: number[] = [];
    const waiter = async (n: number) => {
      const lock = await lockStore(store, undefined, undefined, { socketDir });
      inside++;
      most = Math.max(most, inside);
      turns.push(n);
      await sleep(30);
      inside--;
      await lock.release();
    };
    await Promise.all([0, 1, 2, 3, 4].map(waiter));
    expect(most).toBe(1);
    expect(turns.sort()).toEqual([0, 1, 2, 3, 4]);
    // Nothing left behind but, at most, the socket file: no takeover mutex.
    expect(readdirSync(socketDir).filter((f) => f.includes('takeover'))).toEqual([]);
  });

  it('waits for a live holder in another process, however long, and takes over the moment it is killed', async () => {
    const store = folder('cis-lock-store-');
    const socketDir = folder('cis-lock-sock-');
    const holder = await childHolding(store, socketDir);
    let waited = 0;
    let taken = false;
    const taking = lockStore(
      store,
      () => {
        waited++;
      },
      undefined,
      { socketDir },
    ).then((lock) => {
      taken = true;
      return lock;
    });
    // The waiter has tried and found the lock held: that is the event to wait for.
    await until('the waiter to be told it waits', () => waited === 1);
    expect(taken).toBe(false);
    holder.kill('SIGSTOP');
    // Paused, it still holds: the kernel queues the connection that asks. What is tested is an absence,
    // which no event marks: the pause spans several of the waiter's attempts (one each 200 ms).
    await sleep(1000);
    expect(taken).toBe(false);
    holder.kill('SIGKILL');
    await once(holder, 'exit');
    const lock = await taking;
    await lock.release();
  });

  it('breaks a takeover mutex left by a process that died inside a takeover, but not one in use', async () => {
    const store = folder('cis-lock-store-');
    const socketDir = folder('cis-lock-sock-');
    const id = createHash('sha256').update(realpathSync(store)).digest('hex').slice(0, 32);
    const mutex = join(socketDir, `cis-contact-store-${id}.sock.takeover`);
    mkdirSync(mutex);
    let taken = false;
    const taking = lockStore(store, undefined, undefined, { socketDir }).then((lock) => {
      taken = true;
      return lock;
    });
    // An absence again (no takeover while the mutex is fresh): several of the waiter's attempts, one each 200 ms.
    await sleep(1000);
    expect(taken, 'a fresh mutex is a takeover under way: wait').toBe(false);
    const longAgo = new Date(Date.now() - 60_000);
    utimesSync(mutex, longAgo, longAgo);
    const lock = await taking;
    expect(existsSync(mutex)).toBe(false);
    await lock.release();
  });

  it("in the store's own folder, however long its path: a waiter is told the holder's pid and command, and takes over when it is killed", async () => {
    const short = folder('cis-lock-store-');
    // Longer than a socket's path may be: bound through the folder, open, as /proc/self/fd/N.
    const long = join(
      folder('cis-lock-long-'),
      'a-store-folder-whose-path-is-longer-than-a-unix-socket-address-may-be'.repeat(2),
    );
    mkdirSync(long, { mode: 0o700 });
    for (const store of [short, long]) {
      const holder = await childHolding(store);
      if (store === short) expect(readdirSync(store)).toEqual(['cis-contact.lock']);
      const told: (string | undefined)[] = [];
      const taking = lockStore(store, (holder) => told.push(holder));
      await until('the waiter to be told who holds the store', () => told.length === 1);
      expect(told).toEqual([`pid ${holder.pid}: cis-contact import held.csv`]);
      holder.kill('SIGKILL');
      await once(holder, 'exit');
      const lock = await taking;
      await lock.release();
      expect(readdirSync(store)).toEqual([]);
    }
  });
});
