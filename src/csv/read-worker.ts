/**
 * The worker side of `readOffThread` (reader-thread.ts): reads and parses the
 * file with `readCsvChunks`, exactly as the main thread would, and posts each
 * chunk of items as it is parsed. It runs at most AHEAD chunks in front of
 * what the main thread has taken, so memory stays bounded however large the
 * file.
 */

import { parentPort, workerData } from 'node:worker_threads';
import { CisError } from '../domain/errors.js';
import { type CsvFormat, readCsvChunks } from './reader.js';

/** Chunks parsed before the main thread has taken them. */
const AHEAD = 2;

const port = parentPort!;
const { path, format } = workerData as { path: string; format: Partial<CsvFormat> };
let credit = AHEAD;
let wake: (() => void) | undefined;
port.on('message', () => {
  credit++;
  wake?.();
});

try {
  for await (const items of readCsvChunks(path, format)) {
    while (credit === 0) await new Promise<void>((resolve) => (wake = resolve));
    credit--;
    port.postMessage({ items });
  }
  port.postMessage({ done: true });
} catch (error) {
  port.postMessage(
    error instanceof CisError
      ? { failure: { kind: error.kind, code: error.code, params: error.params, hint: error.hint } }
      : { crash: error instanceof Error ? error.message : String(error) },
  );
} finally {
  port.close();
}
