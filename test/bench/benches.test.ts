/**
 * Every benchmark in test/bench/, run small, so none of them rots unnoticed
 * between the full runs that docs/performance.md records. Each must finish
 * and print its report with the figures it exists to give; the benches
 * check their own row counts (every row imported, copied, recorded) and
 * stop with an error when they do not match. The figures' values are not
 * judged here: at 2,000 rows on a shared machine they mean nothing.
 */

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SERVER_URL } from '../support/targets.js';

const ROWS = 2000;
/** Generous: the import bench alone starts a dozen processes, each opening a store. */
const TIMEOUT_MS = 600_000;

/** Runs a bench (after `npm run build`, as `npm test` does) and returns the JSON report it prints on stdout. */
async function bench(script: string, args: (string | number)[]): Promise<any> {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, [path, ...args.map(String)], {
    env: { ...process.env, NO_COLOR: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout);
}

/** A ratio, a time or a speed-up the bench computed: a positive finite number, not NaN or a missing field. */
const figure = () =>
  expect.toSatisfy((x: unknown) => typeof x === 'number' && Number.isFinite(x) && x > 0, 'a positive finite number');

describe('benchmarks at a small size', () => {
  it(
    'import-stages prints µs a row for each stage of the import, over every row of the file',
    async () => {
      const report = await bench('import-stages.mjs', [ROWS]);
      expect(report.rows).toBe(ROWS);
      const stages = ['read', 'rules', 'contentHash', 'prepare', 'chain', 'copyText'];
      expect(Object.keys(report.microsecondsPerRow)).toEqual(['total', ...stages]);
      for (const stage of ['total', ...stages]) expect(report.microsecondsPerRow[stage], stage).toEqual(figure());
    },
    TIMEOUT_MS,
  );

  describe.skipIf(!SERVER_URL)('against psql \\copy on a PostgreSQL server (DATABASE_URL)', () => {
    it(
      "import-bench prints the import's ratios to psql \\copy and to PGlite's COPY",
      async () => {
        const report = await bench('import-bench.mjs', [ROWS]);
        expect(report.rows).toBe(ROWS);
        expect(report.server).toMatchObject({
          ratio: figure(),
          ratioPlain: figure(),
          importProcessCpuMicrosPerRow: figure(),
          peakRssMb: figure(),
        });
        expect(report.pglite).toMatchObject({
          ratio: figure(),
          importProcessCpuMicrosPerRow: figure(),
          peakRssMb: figure(),
        });
        // The server's share is a difference of two clocks: at this size it may round to nothing, but it is always measured.
        for (const field of ['serverCpuMicrosPerRow', 'psqlCopyServerCpuMicrosPerRow'])
          expect(Number.isFinite(report.server[field]), field).toBe(true);
      },
      TIMEOUT_MS,
    );

    it(
      "export-bench prints export's and verify's ratios to a COPY out of the same contacts",
      async () => {
        const report = await bench('export-bench.mjs', [ROWS]);
        expect(report.contacts).toBe(ROWS);
        for (const side of ['server', 'pglite']) {
          for (const read of ['exportJsonl', 'exportCsv', 'verify', 'verifyExport']) {
            expect(report[side][read], `${side} ${read}`).toMatchObject({
              seconds: figure(),
              ratio: figure(),
              peakRssMb: figure(),
            });
          }
        }
      },
      TIMEOUT_MS,
    );

    it(
      "record-latency prints one record's time against a bare insert's",
      async () => {
        const report = await bench('record-latency.mjs', [3, 150]);
        expect(report).toMatchObject({ runs: 3, bareInsertMs: figure(), recordMs: figure(), ratio: figure() });
        expect(report.embedded).toMatchObject({
          recordNoHolderMs: figure(),
          firstRecordStartingHolderMs: figure(),
          recordWarmMs: figure(),
          fiftyRecordProcessesMs: figure(),
          runOfFiftyLinesMs: figure(),
          historyDuringRunMs: figure(),
          scriptLines: 150,
        });
      },
      TIMEOUT_MS,
    );

    it(
      "run-vs-record prints run's speed-up over separate record processes, on both stores",
      async () => {
        const report = await bench('run-vs-record.mjs', [100, 2]);
        expect(report).toMatchObject({ lines: 100, sample: 2 });
        for (const side of ['server', 'pglite'])
          expect(report[side], side).toMatchObject({ scriptSeconds: figure(), speedup: figure() });
      },
      TIMEOUT_MS,
    );
  });
});
