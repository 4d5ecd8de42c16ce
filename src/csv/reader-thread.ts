/**
 * Reading and parsing a large file on a worker thread, while the main thread
 * checks and writes what was read before: the same items `readCsvChunks`
 * gives, in the same order, with the same failures. Used where the compiled
 * worker exists (the built tool), for files large enough that a thread is
 * worth its start.
 */

import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CisError } from '../domain/errors.js';
import { type CsvFormat, type CsvItem, readCsvChunks } from './reader.js';

const WORKER = new URL('./read-worker.js', import.meta.url);
/** Below this, a thread costs more to start (tens of milliseconds) than it saves. */
const WORKER_FROM_BYTES = 4 * 1024 * 1024;
/**
 * The worker holds two chunks at most, so a small young generation does:
 * V8's default let its heap grow with the file (1,000,000 rows into a
 * server: 293 MB peak RSS, against 257-260 MB with this and 241 MB with no
 * worker), and it was no faster.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 8 };

type Message =
  | { items: CsvItem[] }
  | { done: true }
  | { failure: Pick<CisError, 'kind' | 'code' | 'params' | 'hint'> }
  | { crash: string };

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** `readCsvChunks`, parsed on a worker thread when the file is large and the worker is built; on this thread otherwise. */
export function readCsvChunksAhead(path: string, format: Partial<CsvFormat> = {}): AsyncGenerator<CsvItem[]> {
  const worker = existsSync(fileURLToPath(WORKER)) && sizeOf(path) >= WORKER_FROM_BYTES;
  return worker ? readOffThread(path, format) : readCsvChunks(path, format);
}

async function* readOffThread(path: string, format: Partial<CsvFormat>): AsyncGenerator<CsvItem[]> {
  const worker = new Worker(WORKER, { workerData: { path, format }, resourceLimits: WORKER_LIMITS });
  const waiting: Message[] = [];
  let deliver: ((message: Message) => void) | undefined;
  const receive = (message: Message) => {
    if (deliver) {
      const d = deliver;
      deliver = undefined;
      d(message);
    } else {
      waiting.push(message);
    }
  };
  worker.on('message', receive);
  worker.on('error', (error) => receive({ crash: error.message }));
  // A worker that ends of itself has posted its last message first; only one that stopped otherwise is a failure.
  worker.on('exit', (code) => {
    if (code !== 0) receive({ crash: `the reading thread stopped (exit code ${code})` });
  });
  const next = () =>
    waiting.length > 0 ? Promise.resolve(waiting.shift()!) : new Promise<Message>((resolve) => (deliver = resolve));
  try {
    for (;;) {
      const message = await next();
      if ('items' in message) {
        worker.postMessage(0);
        yield message.items;
      } else if ('done' in message) {
        return;
      } else if ('failure' in message) {
        const { kind, code, params, hint } = message.failure;
        throw new CisError(kind, code, params, hint);
      } else {
        throw new Error(`reading ${path}: ${message.crash}`);
      }
    }
  } finally {
    worker.removeAllListeners();
    await worker.terminate();
  }
}
