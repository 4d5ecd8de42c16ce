/**
 * CPU per row of the CSV reader alone (src/csv/reader.ts): reads the bench's
 * contact log (test/bench/generate.mjs, ~360 bytes a row) through
 * readCsvChunks, several times, and prints the median µs of process CPU
 * (user + system) a row. To compare two readers, build each and point this at
 * its dist folder:
 *   npm run build --silent && node test/bench/csv-read.mjs [rows] [dist dir] [runs]
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generate } from './generate.mjs';

const rows = Number(process.argv[2] ?? 200_000);
const dist = resolve(process.argv[3] ?? 'dist');
const runs = Number(process.argv[4] ?? 7);
const { readCsvChunks } = await import(pathToFileURL(join(dist, 'csv/reader.js')).href);

const work = mkdtempSync(join(tmpdir(), 'cis-csv-bench-'));
try {
  await generate(work, rows);
  const file = join(work, 'contacts.csv');
  const perRow = [];
  for (let run = 0; run <= runs; run++) {
    const before = process.cpuUsage();
    let read = 0;
    for await (const items of readCsvChunks(file)) read += items.length;
    const used = process.cpuUsage(before);
    if (read !== rows + 1) throw new Error(`read ${read} rows, expected ${rows + 1}`);
    // The first run warms the JIT and the page cache; it is not counted.
    if (run > 0) perRow.push((used.user + used.system) / read);
  }
  perRow.sort((a, b) => a - b);
  const median = perRow[Math.floor(perRow.length / 2)];
  console.log(`${dist}: ${rows} rows, median ${median.toFixed(3)} µs/row CPU (runs: ${perRow.map((x) => x.toFixed(2)).join(' ')})`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
