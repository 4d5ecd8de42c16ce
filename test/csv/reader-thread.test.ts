/**
 * The reading thread, as the built tool runs it (`npm test` builds first): the
 * compiled module is imported from dist/, since a worker cannot run the
 * TypeScript sources. Its items and its failures must be the main thread's.
 */

import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CsvItem, readCsvChunks } from '../../src/csv/reader.js';
import { scratchFolder } from '../support/scratch.js';

const dist = new URL('../../dist/csv/reader-thread.js', import.meta.url);
const { readCsvChunksAhead } = (await import(dist.href)) as {
  readCsvChunksAhead: (path: string, format: object) => AsyncGenerator<CsvItem[]>;
};

const dir = scratchFolder('cis-reader-thread-');

/** Every item a reader gives, or the failure it ends with (code, message and hint, as a user sees them). */
async function outcome(read: (path: string, format: object) => AsyncGenerator<CsvItem[]>, path: string, format = {}) {
  const items: CsvItem[] = [];
  try {
    for await (const chunk of read(path, format)) items.push(...chunk);
    return { items, failure: undefined };
  } catch (error) {
    const e = error as { code?: string; message: string; hint?: string };
    return { items, failure: { code: e.code, message: e.message, hint: e.hint } };
  }
}

/** A file past the size the thread is used from: quoted line breaks, accents, CR line ends, then `tail`. */
function largeFile(name: string, tail: string): string {
  const rows = Array.from(
    { length: 16_000 },
    (_, i) => `${i},"caf\u00e9 ""${i}""\r\nsecond line",${'z'.repeat(250)}\r`,
  );
  const path = join(dir, name);
  writeFileSync(path, `n,notes,pad\n${rows.join('')}${tail}`);
  // The tool reads a file of 4 MiB or more on the thread (src/csv/reader-thread.ts).
  expect(statSync(path).size).toBeGreaterThan(4 * 1024 * 1024);
  return path;
}

describe('reading on a worker thread (built tool)', () => {
  it("gives the same items as the main thread, line numbers and the file's last row included", async () => {
    const path = largeFile('good.csv', 'last,"unended');
    const ahead = await outcome(readCsvChunksAhead, path);
    const here = await outcome(readCsvChunks, path);
    expect(ahead.failure).toBeUndefined();
    expect(ahead.items.length).toBeGreaterThan(16_000);
    expect(ahead.items).toEqual(here.items);
    expect(ahead.items.at(-1)).toEqual({ kind: 'unclosed-quote', line: here.items.at(-1)!.line });
  });

  it('fails as the main thread does on malformed quoting late in the file, with the same code, message and hint', async () => {
    const path = largeFile('bad.csv', 'last,"x"y,1\n');
    const ahead = await outcome(readCsvChunksAhead, path);
    const here = await outcome(readCsvChunks, path);
    expect(ahead.failure).toMatchObject({
      code: 'file-unreadable',
      message: expect.stringMatching(/text after a closing quote/),
    });
    expect(ahead.failure).toEqual(here.failure);
    expect(ahead.items.length).toBeGreaterThan(0);
  });

  it('fails as the main thread does on a file that cannot be opened', async () => {
    const missing = join(dir, 'gone.csv');
    // Too small to need the thread is decided from the file's size: a file that is not there is read on this thread, and named.
    expect((await outcome(readCsvChunksAhead, missing)).failure).toEqual(
      (await outcome(readCsvChunks, missing)).failure,
    );
  });
});
