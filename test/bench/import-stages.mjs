#!/usr/bin/env node
/**
 * `node test/bench/import-stages.mjs [ROWS]` (or BENCH_ROWS=…; default 100,000): the Node side of an import, stage
 * by stage, with no database: what each row costs to read, check, hash, chain
 * and turn into COPY text (µs a row). The stages are the import's own
 * functions, called as the import calls them; build first (`npm run build`).
 */

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from './generate.mjs';
import { benchSize } from './size.mjs';

const dist = new URL('../../dist/', import.meta.url);
const { logRows, logUnits, rawContactOf } = await import(new URL('import/contact-log.js', dist));
const { checkContact } = await import(new URL('domain/contact.js', dist));
const { contentHashes } = await import(new URL('domain/identity.js', dist));
const { chainHasherAt } = await import(new URL('domain/audit.js', dist));
const { abbreviationFinder } = await import(new URL('domain/abbreviations.js', dist));
const { copyWriter } = await import(new URL('storage/bulk-copy.js', dist));
const { prepareUnit } = await import(new URL('import/units.js', dist));

const rows = benchSize(1, 'BENCH_ROWS', 100_000);
const dir = mkdtempSync(join(tmpdir(), 'cis-stages-'));
await generate(dir, rows);
const records = new Map(
  readFileSync(join(dir, 'registry.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(',')[0])
    .map((utr) => [utr, { utr, kind: 'contractor', partners: [] }]),
);
const lookup = {
  record: (utr) => records.get(utr),
  operator: (pid) => ({ pid, roles: ['CISR Processor'], logins: [] }),
  writer: { login: 'bench', bound: false },
};
const settings = { today: new Date().toISOString().slice(0, 10), strict: false, abbreviations: abbreviationFinder() };

const spent = { read: 0, rules: 0, contentHash: 0, prepare: 0, chain: 0, copyText: 0 };
let last = performance.now();
const lap = (stage) => {
  const now = performance.now();
  spent[stage] += now - last;
  last = now;
};
let seq = 0;
const chainHash = chainHasherAt('2026-01-01T00:00:00.000000Z');
let hash = '0'.repeat(64);
let copied = 0;
const started = performance.now();
for await (const units of logUnits(
  logRows(
    join(dir, 'contacts.csv'),
    { encoding: 'utf-8', delimiter: ',' },
    { columns: new Map(), values: new Map() },
    { header: () => {} },
  ),
)) {
  lap('read');
  const checks = units.map((u) => checkContact(rawContactOf(u.rows), lookup, settings));
  lap('rules');
  const hashes = checks.map((c) => contentHashes(c.contact, c.targets));
  lap('contentHash');
  const prepared = checks.map(
    ({ contact, targets }, i) => prepareUnit(contact, targets, `sha256:${hashes[i][0]}#1`, hashes[i], 1).contacts[0],
  );
  lap('prepare');
  const placed = [];
  for (const contact of prepared) {
    seq += 1;
    const prevHash = hash;
    hash = chainHash(prevHash, contact.canonical, seq);
    placed.push(seq, prevHash, hash);
  }
  lap('chain');
  // The COPY lines filled in as the write fills them, and made one text a table, as the driver sends it.
  const batch = copyWriter(async (_tx, _table, _columns, lines) => {
    for (const line of lines) copied += line.length;
  }).batch('bench');
  for (let k = 0; k < prepared.length; k++) batch.add(prepared[k], placed[3 * k], placed[3 * k + 1], placed[3 * k + 2]);
  await batch.write(undefined);
  lap('copyText');
}
const total = performance.now() - started;
rmSync(dir, { recursive: true, force: true });
if (seq !== rows) throw new Error(`${seq} of the file's ${rows} rows went through every stage`);
if (copied < rows * 100) throw new Error(`the COPY text of ${rows} rows was only ${copied} characters`);
const perRow = (ms) => Number(((ms / seq) * 1000).toFixed(1));
// µs a row for each stage, and in all (the stages' sum, and the loop's own overhead).
console.log(
  JSON.stringify(
    {
      rows: seq,
      microsecondsPerRow: {
        total: perRow(total),
        ...Object.fromEntries(Object.entries(spent).map(([k, v]) => [k, perRow(v)])),
      },
    },
    null,
    2,
  ),
);
