#!/usr/bin/env node
/**
 * The speed target: one `record` against a PostgreSQL server versus a bare Node.js
 * script that opens postgres.js and inserts one row, each as a fresh process,
 * in the same run on the same machine. Prints medians and their ratio.
 * Then the embedded store through its resident holder (holder-latency.mjs):
 * one record with the holder warm and the first that starts it, 50 record
 * processes against one run of 50 lines, a history during a long run.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node test/bench/record-latency.mjs [runs] [script lines]
 *   (or BENCH_RUNS=… and BENCH_SCRIPT_LINES=…; defaults 30 and 12,000)
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { benchSize } from './size.mjs';
import { holderFigures } from './holder-latency.mjs';

const runs = benchSize(1, 'BENCH_RUNS', 30);
const root = fileURLToPath(new URL('../../', import.meta.url));
const server = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const name = `cis_bench_${process.pid}`;
const admin = postgres(server, { max: 1, onnotice: () => {} });
await admin.unsafe(`create database ${name}`);
const url = new URL(server);
url.pathname = `/${name}`;
const env = { ...process.env, DATABASE_URL: url.toString(), NO_COLOR: '1' };
const cli = join(root, 'bin/cis-contact.js');
const run = (args) => {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env, cwd: root, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
};

try {
  run([cli, 'registry', 'import', 'fixtures/registry.csv', '--rejects', '/dev/null']);
} catch {
  /* the sample registry has bad rows on purpose: exit 1 */
}
try {
  run([cli, 'operators', 'import', 'fixtures/operators.csv', '--rejects', '/dev/null']);
} catch {
  /* likewise */
}

const dir = mkdtempSync(join(tmpdir(), 'cis-bench-'));
const bare = join(dir, 'bare.mjs');
writeFileSync(
  bare,
  `import postgres from ${JSON.stringify(join(root, 'node_modules/postgres/src/index.js'))};
const sql = postgres(process.env.DATABASE_URL);
await sql\`insert into bare_insert (utr, note) values ('1955839661', 'one row')\`;
await sql.end();
`,
);
const sql = postgres(url.toString(), { max: 1, onnotice: () => {} });
await sql`create table bare_insert (id bigserial primary key, utr char(10) not null, note varchar(512), at timestamptz default now())`;
await sql.end();

// Each call a contact of its own, as an operator's calls are (the same contact twice without --ref is refused).
let calls = 0;
const record = () => [
  cli,
  'record',
  '--utr',
  '1955839661',
  '--operator',
  '1234567',
  '--contact-type',
  'agent',
  '--contact-name',
  'Jo Bloggs',
  '--channel',
  'phone-inbound',
  '--auth',
  'authenticated',
  '--subject',
  'Callback',
  '--action',
  `Explained the statement, call ${++calls}`,
];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const bareTimes = [];
const recordTimes = [];
run([bare]);
run(record());
for (let i = 0; i < runs; i++) {
  bareTimes.push(run([bare]));
  recordTimes.push(run(record()));
}
await admin.unsafe(`drop database ${name} with (force)`);
await admin.end();
rmSync(dir, { recursive: true, force: true });
const b = median(bareTimes);
const r = median(recordTimes);
const embedded = await holderFigures(root, runs, benchSize(2, 'BENCH_SCRIPT_LINES', 12_000));
console.log(
  JSON.stringify(
    {
      runs,
      bareInsertMs: Number(b.toFixed(1)),
      recordMs: Number(r.toFixed(1)),
      ratio: Number((r / b).toFixed(2)),
      target: 2.5,
      embedded,
    },
    null,
    2,
  ),
);
