#!/usr/bin/env node
/**
 * Issue 6: a 10,000-line `run` script against 10,000 separate `record`
 * processes, on a PostgreSQL server and on PGlite. Separate processes are
 * timed on a sample (default 40) and scaled to the script's length: running
 * 10,000 of them would take most of an hour and tell nothing more.
 *
 *   node test/bench/run-vs-record.mjs [lines] [sample]   (or BENCH_ROWS=… BENCH_SAMPLE=…)
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { benchSize } from './size.mjs';

const lines = benchSize(1, 'BENCH_ROWS', 10_000);
const sample = benchSize(2, 'BENCH_SAMPLE', 40);
const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = join(root, 'bin/cis-contact.js');
const server = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const work = mkdtempSync(join(tmpdir(), 'cis-run-bench-'));
/** This run's database only: two benches on one server never drop each other's. */
const database = `cis_run_bench_${process.pid}`;

const args = (i, prefix) => [
  '--utr',
  '1955839661',
  '--operator',
  '1234567',
  '--contact-type',
  'agent',
  '--contact-name',
  `Agent ${i}`,
  '--channel',
  'email',
  '--auth',
  'authenticated',
  '--subject',
  'Letter',
  '--action',
  `Sent letter ${i}`,
  '--ref',
  `${prefix}-${i}`,
];
const quote = (a) => `'${a.replace(/'/g, "'\\''")}'`;
writeFileSync(
  join(work, 'script.txt'),
  Array.from({ length: lines }, (_, i) => args(i, 'S').map(quote).join(' ')).join('\n'),
);

function timed(argv, env) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [cli, ...argv], {
    env: { ...process.env, NO_COLOR: '1', ...env },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0 && r.status !== 1) throw new Error(r.stderr);
  return { seconds, stdout: r.stdout };
}

async function measure(env) {
  timed(['registry', 'import', join(root, 'fixtures/registry.csv'), '--rejects', join(work, 'r.csv')], env);
  timed(['operators', 'import', join(root, 'fixtures/operators.csv'), '--rejects', join(work, 'o.csv')], env);
  const script = timed(['run', join(work, 'script.txt')], env);
  // Every line recorded, or the speed-up is of a shorter script than the report says.
  const summary = script.stdout.match(/^(\d+) lines?: (\d+) recorded/m);
  if (summary?.[1] !== String(lines) || summary[2] !== String(lines))
    throw new Error(`run did not record all ${lines} lines: ${script.stdout.slice(-300)}`);
  const each = [];
  for (let i = 0; i < sample; i++) each.push(timed(['record', ...args(i, 'P')], env).seconds);
  each.sort((a, b) => a - b);
  const median = each[Math.floor(each.length / 2)];
  return {
    scriptSeconds: Number(script.seconds.toFixed(2)),
    recordProcessMedianSeconds: Number(median.toFixed(3)),
    separateProcessesSeconds: Number((median * lines).toFixed(0)),
    speedup: Number(((median * lines) / script.seconds).toFixed(1)),
    target: 20,
  };
}

const admin = postgres(server, { max: 1, onnotice: () => {} });
await admin.unsafe(`drop database if exists ${database} with (force)`);
await admin.unsafe(`create database ${database}`);
const url = new URL(server);
url.pathname = `/${database}`;
const result = {
  lines,
  sample,
  server: await measure({ DATABASE_URL: url.toString() }),
  pglite: await measure({ DATABASE_URL: '', CIS_CONTACT_DATA_DIR: join(work, 'pglite') }),
};
// The embedded store's commands went through its resident holder: stopped before its folder goes.
timed(['db', 'stop'], { DATABASE_URL: '', CIS_CONTACT_DATA_DIR: join(work, 'pglite') });
await admin.unsafe(`drop database if exists ${database} with (force)`);
await admin.end();
rmSync(work, { recursive: true, force: true });
console.log(JSON.stringify(result, null, 2));
