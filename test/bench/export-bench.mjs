#!/usr/bin/env node
/**
 * `npm run bench:export [-- ROWS]` (or BENCH_ROWS=…): the audit reads, as ratios measured in one
 * run on one machine, over ROWS contacts (default 1,000,000) straight after
 * the import that stored them.
 *
 * - PostgreSQL server: `export --format jsonl`, `export` (CSV) and `verify`
 *   against `psql \copy` of the same contacts with their enquiries
 *   aggregated per contact, out to a file (run before and after; the mean).
 * - PGlite: the same commands against PGlite's own `COPY (the same query) TO
 *   '/dev/blob'`.
 * - Peak RSS (GNU time) of each command.
 *
 * Needs DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) and
 * psql and /usr/bin/time on the PATH.
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { generate } from './generate.mjs';
import { benchSize } from './size.mjs';

const rows = benchSize(1, 'BENCH_ROWS', 1_000_000);
const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = join(root, 'bin/cis-contact.js');
const server = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const work = mkdtempSync(join(tmpdir(), 'cis-export-bench-'));
/** This run's database only: two benches on one server never drop each other's. */
const database = `cis_export_bench_${process.pid}`;

/** Every stored field of each contact, its enquiries aggregated: what an export holds, as the database writes it out itself. */
const BASELINE_QUERY = `select c.seq, c.source_key, c.utr, c.partnership_utr, c.contact_type, c.contact_name, c.channel, c.direction,
  c.authentication, c.enquiry_date, c.operator_pid, c.import_run_id, c.recorded_at, c.recorded_by,
  (select json_agg(e order by e.position) from public.enquiries e where e.contact_seq = c.seq) as enquiries, c.prev_hash, c.hash
  from public.contacts c order by c.seq`;

function timed(command, args, env = {}) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', command, ...args], {
    env: { ...process.env, NO_COLOR: '1', ...env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const [seconds, kb] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return { seconds, peakRssMb: Math.round(kb / 1024), stdout: r.stdout };
}

const cis = (args, env) => timed(process.execPath, [cli, ...args], env);
const megabytes = (file) => Math.round(statSync(file).size / 1e6);
const round = (x) => Number(x.toFixed(2));

/** Every row imported, or the reads that follow measure a smaller store than the report says. */
function imported(env, dir) {
  const run = cis(['--json', 'import', join(dir, 'contacts.csv')], env);
  const summary = JSON.parse(run.stdout);
  if (summary.rowsAccepted !== rows) throw new Error(`not every one of ${rows} rows was accepted: ${run.stdout}`);
  return run;
}

/** The audit reads, each timed. */
function reads(env, tag) {
  const jsonl = join(work, `${tag}.jsonl`);
  const csv = join(work, `${tag}.csv`);
  const exportJsonl = cis(['export', '--format', 'jsonl', '--out', jsonl], env);
  const exportCsv = cis(['export', '--out', csv], env);
  const verify = cis(['verify'], env);
  const verifyExport = cis(['verify', '--export', jsonl], env);
  return {
    exportJsonl: { ...exportJsonl, megabytes: megabytes(jsonl) },
    exportCsv: { ...exportCsv, megabytes: megabytes(csv) },
    verify,
    verifyExport,
  };
}

async function onServer(dir) {
  const admin = postgres(server, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${database} with (force)`);
  await admin.unsafe(`create database ${database}`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${database}`;
  const env = { DATABASE_URL: url.toString() };
  cis(['registry', 'import', join(dir, 'registry.csv')], env);
  cis(['operators', 'import', join(dir, 'operators.csv')], env);
  const importRun = imported(env, dir);
  const copy = () => {
    const run = timed('psql', [
      env.DATABASE_URL,
      '-c',
      `\\copy (${BASELINE_QUERY.replace(/\s+/g, ' ')}) to '${join(work, 'baseline.txt')}'`,
    ]);
    if (run.stdout.trim() !== `COPY ${rows}`)
      throw new Error(`psql \\copy did not write the ${rows} contacts: ${run.stdout}`);
    return run;
  };
  const before = copy();
  const timings = reads(env, 'server');
  const after = copy();
  const baseline = { seconds: (before.seconds + after.seconds) / 2 };
  const result = {
    importSeconds: importRun.seconds,
    psqlCopySeconds: round(baseline.seconds),
    psqlCopyRuns: [before.seconds, after.seconds],
    ...ratios(timings, baseline),
  };
  const cleanup = postgres(server, { max: 1, onnotice: () => {} });
  await cleanup.unsafe(`drop database if exists ${database} with (force)`);
  await cleanup.end();
  return result;
}

function pgliteCopy(dataDir) {
  const script = `
    import { PGlite } from '@electric-sql/pglite';
    const db = await PGlite.create(${JSON.stringify(join(dataDir, 'pgdata'))});
    const t0 = performance.now();
    const result = await db.query(${JSON.stringify(`copy (${BASELINE_QUERY}) to '/dev/blob'`)});
    const bytes = (await result.blob.arrayBuffer()).byteLength;
    console.log(JSON.stringify({ seconds: (performance.now() - t0) / 1000, bytes }));
    await db.close();`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

function onPglite(dir) {
  const dataDir = join(work, 'pglite');
  // Each command opens the store itself: PGlite's own COPY below opens it too, and a resident holder
  // left open on it would have it open twice.
  const env = { DATABASE_URL: '', CIS_CONTACT_DATA_DIR: dataDir, CIS_CONTACT_NO_HOLDER: '1' };
  cis(['registry', 'import', join(dir, 'registry.csv')], env);
  cis(['operators', 'import', join(dir, 'operators.csv')], env);
  const importRun = imported(env, dir);
  const before = pgliteCopy(dataDir);
  const timings = reads(env, 'pglite');
  const after = pgliteCopy(dataDir);
  const baseline = { seconds: (before.seconds + after.seconds) / 2 };
  return {
    importSeconds: importRun.seconds,
    copySeconds: round(baseline.seconds),
    copyRuns: [round(before.seconds), round(after.seconds)],
    ...ratios(timings, baseline),
  };
}

const TARGETS = { exportJsonl: 2, verify: 3 };

/** Ratios against the baseline's mean, taken once both of its runs are in. */
function ratios(timings, baseline) {
  return Object.fromEntries(
    Object.entries(timings).map(([name, r]) => [
      name,
      {
        seconds: r.seconds,
        peakRssMb: r.peakRssMb,
        ...(r.megabytes === undefined ? {} : { megabytes: r.megabytes }),
        ratio: round(r.seconds / baseline.seconds),
        ...(TARGETS[name] ? { ratioTarget: TARGETS[name] } : {}),
      },
    ]),
  );
}

console.error(`generating ${rows} rows in ${work}`);
await generate(work, rows);
console.error(
  'PostgreSQL server: import, psql \\copy out, export jsonl, export csv, verify, verify --export, psql \\copy out again',
);
const onServerResult = await onServer(work);
console.error('PGlite: import, COPY TO, the same commands, COPY TO again');
const onPgliteResult = onPglite(work);
console.log(
  JSON.stringify(
    {
      machine: {
        cpus: cpus().length,
        model: cpus()[0]?.model,
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
      },
      contacts: rows,
      server: onServerResult,
      pglite: onPgliteResult,
    },
    null,
    2,
  ),
);
rmSync(work, { recursive: true, force: true });
