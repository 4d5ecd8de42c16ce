/**
 * CPU per row of the CSV reader alone (src/csv/reader.ts): reads the bench's
 * contact log (test/bench/generate.mjs, ~360 bytes a row) through
 * readCsvChunks, several times, and prints the median µs of process CPU
 * (user + system) a row. Given two builds' dist folders (say, before and
 * after a change), it reads through each in turn, run for run, so drift in a
 * busy machine's load falls on both alike:
 *   npm run build --silent && node test/bench/csv-read.mjs [rows] [runs] [dist dir] [other dist dir]
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generate } from './generate.mjs';

const rows = Number(process.argv[2] ?? 200_000);
const runs = Number(process.argv[3] ?? 7);
const dists = (process.argv.length > 4 ? process.argv.slice(4) : ['dist']).map((d) => resolve(d));
const readers = await Promise.all(
  dists.map(async (dist) => (await import(pathToFileURL(join(dist, 'csv/reader.js')).href)).readCsvChunks),
);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function cpuPerRow(readCsvChunks, file) {
  const before = process.cpuUsage();
  let read = 0;
  for await (const items of readCsvChunks(file)) read += items.length;
  const used = process.cpuUsage(before);
  if (read !== rows + 1) throw new Error(`read ${read} rows, expected ${rows + 1}`);
  return (used.user + used.system) / read;
}

const work = mkdtempSync(join(tmpdir(), 'cis-csv-bench-'));
try {
  await generate(work, rows);
  const file = join(work, 'contacts.csv');
  // A first run each warms the JIT and the page cache; it is not counted.
  for (const read of readers) await cpuPerRow(read, file);
  const perRow = readers.map(() => []);
  for (let run = 0; run < runs; run++) {
    for (let i = 0; i < readers.length; i++) perRow[i].push(await cpuPerRow(readers[i], file));
  }
  dists.forEach((dist, i) => {
    console.log(
      `${dist}: ${rows} rows, median ${median(perRow[i]).toFixed(2)} µs/row CPU (runs: ${perRow[i].map((x) => x.toFixed(2)).join(' ')})`,
    );
  });
  if (readers.length === 2) {
    const ratios = perRow[1].map((x, run) => x / perRow[0][run]);
    console.log(
      `second / first, run for run: median ${median(ratios).toFixed(3)} (${ratios.map((x) => x.toFixed(2)).join(' ')})`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
