#!/usr/bin/env node
/**
 * Issue 5: `export` and `verify` over N stored contacts (default 1,000,000)
 * on a PostgreSQL server: wall time and peak RSS (GNU time) of each.
 *
 *   node test/bench/history-bench.mjs [rows]
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { generate } from './generate.mjs';

const rows = Number(process.argv[2] ?? 1_000_000);
const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = join(root, 'bin/cis-contact.js');
const server = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const work = mkdtempSync(join(tmpdir(), 'cis-history-bench-'));

const admin = postgres(server, { max: 1, onnotice: () => {} });
await admin.unsafe('drop database if exists cis_history_bench with (force)');
await admin.unsafe('create database cis_history_bench');
const url = new URL(server);
url.pathname = '/cis_history_bench';
const env = { ...process.env, DATABASE_URL: url.toString(), NO_COLOR: '1' };

function timed(args) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', process.execPath, cli, ...args], { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0 && r.status !== 1) throw new Error(r.stderr);
  const [seconds, kb] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
  return { seconds, peakRssMb: Math.round(kb / 1024), exit: r.status };
}

await generate(work, rows);
timed(['registry', 'import', join(work, 'registry.csv')]);
timed(['operators', 'import', join(work, 'operators.csv')]);
const imported = timed(['import', join(work, 'contacts.csv')]);
const exported = timed(['export', '--format', 'jsonl', '--out', join(work, 'all.jsonl')]);
const exportedCsv = timed(['export', '--out', join(work, 'all.csv')]);
const verified = timed(['verify']);
const verifiedExport = timed(['verify', '--export', join(work, 'all.jsonl')]);
console.log(JSON.stringify({
  contacts: rows,
  import: imported,
  exportJsonl: { ...exported, megabytes: Math.round(statSync(join(work, 'all.jsonl')).size / 1e6) },
  exportCsv: { ...exportedCsv, megabytes: Math.round(statSync(join(work, 'all.csv')).size / 1e6) },
  verifyDatabase: verified,
  verifyExport: verifiedExport,
}, null, 2));
await admin.unsafe('drop database if exists cis_history_bench with (force)');
await admin.end();
rmSync(work, { recursive: true, force: true });
