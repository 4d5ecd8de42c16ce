#!/usr/bin/env node
/**
 * `npm run bench [-- ROWS]` (or BENCH_ROWS=…): the import figures, as ratios
 * measured in one run on one machine.
 *
 * - PostgreSQL server: `cis-contact import` of ROWS valid rows (default
 *   1,000,000) against `psql \copy` of the same file into a table of the same
 *   shape: the file's 13 columns, typed and constrained as the store types
 *   them (char/varchar lengths, enumeration checks, NOT NULLs, the (utr,
 *   enquiry_date) index), (a) with the foreign keys to the registry and the
 *   operators that the rules' reference checks amount to, and (b) without
 *   them: the database's bare cost of taking the rows.
 * - PGlite: `cis-contact import` into a new embedded store against PGlite's own
 *   `COPY ... FROM '/dev/blob'` of the same file into the same table.
 * - Each baseline runs before and after its import; the ratio is against their mean.
 * - Memory: peak RSS (GNU time) at ROWS and at ROWS/10, per driver; the
 *   difference per extra row is what the memory target bounds at 64 bytes.
 * - CPU: the import process's own CPU time per row (GNU time's user + system),
 *   the database server's CPU per row beside baseline (a)'s (every core's
 *   busy time while the command ran, from /proc/stat, less the command's own
 *   process: psql's, or the import's), and `ratioFloor`: the
 *   ratio the import would reach if its CPU time were spread perfectly over
 *   all the machine's cores. No overlap can do better than that.
 *
 * Needs DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) and
 * psql and /usr/bin/time on the PATH.
 */

import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
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
const work = mkdtempSync(join(tmpdir(), 'cis-bench-'));
/** Databases of this run only: two benches on one server never drop each other's. */
const prefix = `cis_bench_${process.pid}`;

const BASE_TABLE = `create table contact_log_copy (
  contact_ref text,
  utr char(10) not null references cis_records,
  partners text,
  contact_type varchar(13) check (contact_type in ('contractor', 'subcontractor', 'agent', 'capacitor', 'third party')),
  contact_name varchar(100),
  channel varchar(16) not null check (channel in ('phone-inbound', 'phone-outbound', 'face-to-face', 'letter', 'email', 'fax', 'internal-enquiry')),
  direction varchar(8) check (direction in ('Inbound', 'Outbound')),
  enquiry_date date not null check (enquiry_date >= date '2008-04-06'),
  authentication varchar(13) check (authentication in ('authenticated', 'waived')),
  operator_pid char(7) not null references operators,
  subject varchar(17) not null check (subject in ('Internal Referral', 'Letter', 'Callback', 'Complaint', 'Other')),
  action_taken varchar(100),
  general_notes varchar(512))`;
const BASE_INDEX = 'create index contact_log_copy_utr_date on contact_log_copy (utr, enquiry_date)';
/** Baseline (b): the same table without the foreign keys. */
const PLAIN_TABLE = BASE_TABLE.replace(' references cis_records', '').replace(' references operators', '');

/** Seconds every core of the machine has been busy so far (Linux, USER_HZ = 100); idle and I/O wait left out. */
function machineBusySeconds() {
  const [user, nice, system, , , irq, softirq] = readFileSync('/proc/stat', 'utf8')
    .split('\n', 1)[0]
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return (user + nice + system + irq + softirq) / 100;
}

function timed(command, args, env = {}) {
  const busy = machineBusySeconds();
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M %U %S', command, ...args], {
    env: { ...process.env, NO_COLOR: '1', ...env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const last = r.stderr.trim().split('\n').pop();
  const [seconds, kb, user, system] = last.split(' ').map(Number);
  if (r.status !== 0 && r.status !== 1)
    throw new Error(`${command} ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return {
    seconds,
    rssMb: kb / 1024,
    stdout: r.stdout,
    cpuSeconds: machineBusySeconds() - busy,
    processCpuSeconds: user + system,
  };
}

function cis(args, env) {
  return timed(process.execPath, [cli, ...args], env);
}

const databaseUrl = (name) => {
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
};

async function onServer(statements) {
  const admin = postgres(server, { max: 1, onnotice: () => {} });
  try {
    for (const statement of statements) await admin.unsafe(statement);
  } finally {
    await admin.end();
  }
}

function withReferenceData(env, dir) {
  cis(['registry', 'import', join(dir, 'registry.csv'), '--rejects', join(work, 'r.csv')], env);
  cis(['operators', 'import', join(dir, 'operators.csv'), '--rejects', join(work, 'o.csv')], env);
}

/**
 * The stores every measured command starts from, made once: migrated, with
 * the registry and operators loaded (the same for every file generate()
 * writes). Copying them is what keeps a small run quick; nothing measured
 * is changed by it.
 */
const TEMPLATE = `${prefix}_template`;
const pgliteTemplate = join(work, 'pglite-template');
async function prepareTemplates(dir) {
  await onServer([`drop database if exists ${TEMPLATE} with (force)`, `create database ${TEMPLATE}`]);
  withReferenceData({ DATABASE_URL: databaseUrl(TEMPLATE) }, dir);
  withReferenceData({ DATABASE_URL: '', CIS_CONTACT_DATA_DIR: pgliteTemplate, CIS_CONTACT_NO_HOLDER: '1' }, dir);
}

async function freshDatabase(name) {
  await onServer([`drop database if exists ${name} with (force)`, `create database ${name} template ${TEMPLATE}`]);
  return databaseUrl(name);
}

function freshDataDir(name) {
  const dataDir = join(work, name);
  rmSync(dataDir, { recursive: true, force: true });
  cpSync(pgliteTemplate, dataDir, { recursive: true });
  return dataDir;
}

/** The import's summary must account for every row of the file as accepted: a bench of fewer rows measures nothing. */
function checkAllAccepted(run, expected) {
  const summary = JSON.parse(run.stdout);
  if (summary.rowsRead !== expected || summary.rowsAccepted !== expected)
    throw new Error(`not every one of ${expected} rows was accepted: ${run.stdout}`);
}

async function serverImport(dir, tag, expected) {
  const url = await freshDatabase(`${prefix}_${tag}`);
  const run = cis(['--json', 'import', join(dir, 'contacts.csv'), '--rejects', join(work, 'rejects.csv')], {
    DATABASE_URL: url,
  });
  checkAllAccepted(run, expected);
  return run;
}

async function serverBaseline(dir, table = BASE_TABLE) {
  const url = await freshDatabase(`${prefix}_copy`);
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  await sql.unsafe(table);
  await sql.unsafe(BASE_INDEX);
  await sql.end();
  const copy = timed('psql', [
    url,
    '-c',
    `\\copy contact_log_copy from '${join(dir, 'contacts.csv')}' with (format csv, header true)`,
  ]);
  if (copy.stdout.trim() !== `COPY ${rows}`)
    throw new Error(`psql \\copy did not take the ${rows} rows: ${copy.stdout}`);
  return copy;
}

async function embeddedImport(dir, expected) {
  const dataDir = freshDataDir('pglite-import');
  const run = cis(['--json', 'import', join(dir, 'contacts.csv'), '--rejects', join(work, 'rejects.csv')], {
    DATABASE_URL: '',
    CIS_CONTACT_DATA_DIR: dataDir,
    // The import opening the store itself, against PGlite's own COPY in a process of its own: like for like.
    CIS_CONTACT_NO_HOLDER: '1',
  });
  checkAllAccepted(run, expected);
  rmSync(dataDir, { recursive: true, force: true });
  return run;
}

async function embeddedBaseline(dir) {
  const dataDir = freshDataDir('pglite-copy');
  const script = `
    import { PGlite } from '@electric-sql/pglite';
    import { openAsBlob } from 'node:fs';
    const db = await PGlite.create(${JSON.stringify(join(dataDir, 'pgdata'))});
    await db.exec(${JSON.stringify(`${BASE_TABLE}; ${BASE_INDEX};`)});
    const blob = await openAsBlob(${JSON.stringify(join(dir, 'contacts.csv'))});
    const machineBusySeconds = ${machineBusySeconds.toString()};
    const busy = machineBusySeconds();
    const t0 = performance.now();
    const copied = await db.query("copy contact_log_copy from '/dev/blob' with (format csv, header true)", [], { blob });
    console.log(JSON.stringify({ seconds: (performance.now() - t0) / 1000, cpuSeconds: machineBusySeconds() - busy, rows: copied.affectedRows }));
    await db.close();`;
  const r = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', `import { readFileSync } from 'node:fs';\n${script}`],
    { cwd: root, encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(r.stderr);
  rmSync(dataDir, { recursive: true, force: true });
  const copy = JSON.parse(r.stdout.trim().split('\n').pop());
  if (copy.rows !== rows) throw new Error(`PGlite's COPY did not take the ${rows} rows: ${r.stdout}`);
  return copy;
}

const small = Math.max(1000, Math.round(rows / 10));
const bigDir = join(work, 'big');
const smallDir = join(work, 'small');
mkdirSync(bigDir);
mkdirSync(smallDir);
console.error(`generating ${rows} and ${small} rows in ${work}`);
await generate(bigDir, rows);
await generate(smallDir, small);
await prepareTemplates(bigDir);

// Each baseline runs before and after its import and the mean is the divisor:
// on a shared machine the speed drifts (psql \copy of one file measured 20 s and
// 36 s an hour apart), and a baseline taken at one end only skews the ratio.
const mean = (a, b) => ({
  seconds: (a.seconds + b.seconds) / 2,
  runs: [a.seconds, b.seconds],
  cpuSeconds: (a.cpuSeconds + b.cpuSeconds) / 2,
  processCpuSeconds: ((a.processCpuSeconds ?? 0) + (b.processCpuSeconds ?? 0)) / 2,
});
console.error('PostgreSQL server: psql \\copy (a) and (b), cis-contact import, psql \\copy (a) and (b) again');
const copyBefore = await serverBaseline(bigDir);
const plainBefore = await serverBaseline(bigDir, PLAIN_TABLE);
const serverBig = await serverImport(bigDir, 'big', rows);
const copy = mean(copyBefore, await serverBaseline(bigDir));
const plain = mean(plainBefore, await serverBaseline(bigDir, PLAIN_TABLE));
const serverSmall = await serverImport(smallDir, 'small', small);
console.error('PGlite: COPY, cis-contact import, COPY again');
const pgliteCopyBefore = await embeddedBaseline(bigDir);
const pgliteBig = await embeddedImport(bigDir, rows);
const pgliteCopy = mean(pgliteCopyBefore, await embeddedBaseline(bigDir));
const pgliteSmall = await embeddedImport(smallDir, small);

const perRow = (big, little) => Math.round(((big.rssMb - little.rssMb) * 1024 * 1024) / (rows - small));
const round = (x, digits = 2) => Number(x.toFixed(digits));
const floor = (importRun, baseline) => round(importRun.cpuSeconds / cpus().length / baseline.seconds);
const microsPerRow = (run) => round((run.processCpuSeconds * 1e6) / rows, 1);
/** The database server's CPU a row: every core's busy time while the command ran, less the command's own process. */
const serverMicrosPerRow = (run) => round(((run.cpuSeconds - run.processCpuSeconds) * 1e6) / rows, 1);
const report = {
  machine: {
    cpus: cpus().length,
    model: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  },
  rows,
  server: {
    psqlCopySeconds: Number(copy.seconds.toFixed(2)),
    psqlCopyRuns: copy.runs,
    importSeconds: serverBig.seconds,
    ratio: Number((serverBig.seconds / copy.seconds).toFixed(2)),
    ratioTarget: 1.5,
    psqlCopyPlainSeconds: Number(plain.seconds.toFixed(2)),
    psqlCopyPlainRuns: plain.runs,
    ratioPlain: Number((serverBig.seconds / plain.seconds).toFixed(2)),
    ratioPlainTarget: 3,
    psqlCopyCpuSeconds: round(copy.cpuSeconds, 1),
    importCpuSeconds: round(serverBig.cpuSeconds, 1),
    importProcessCpuMicrosPerRow: microsPerRow(serverBig),
    importProcessCpuMicrosPerRowTarget: 20,
    serverCpuMicrosPerRow: serverMicrosPerRow(serverBig),
    psqlCopyServerCpuMicrosPerRow: serverMicrosPerRow(copy),
    serverCpuRatio: round(serverMicrosPerRow(serverBig) / serverMicrosPerRow(copy)),
    serverCpuRatioTarget: 1.3,
    ratioFloor: floor(serverBig, copy),
    ratioFloorTarget: 1.2,
    peakRssMb: Math.round(serverBig.rssMb),
    peakRssMbAtSmall: Math.round(serverSmall.rssMb),
    bytesPerExtraRow: perRow(serverBig, serverSmall),
  },
  pglite: {
    copySeconds: Number(pgliteCopy.seconds.toFixed(2)),
    copyRuns: pgliteCopy.runs.map((x) => Number(x.toFixed(2))),
    importSeconds: pgliteBig.seconds,
    ratio: Number((pgliteBig.seconds / pgliteCopy.seconds).toFixed(2)),
    ratioTarget: 1.5,
    copyCpuSeconds: round(pgliteCopy.cpuSeconds, 1),
    importCpuSeconds: round(pgliteBig.cpuSeconds, 1),
    importProcessCpuMicrosPerRow: microsPerRow(pgliteBig),
    importProcessCpuMicrosPerRowTarget: 20,
    ratioFloor: floor(pgliteBig, pgliteCopy),
    peakRssMb: Math.round(pgliteBig.rssMb),
    peakRssMbAtSmall: Math.round(pgliteSmall.rssMb),
    bytesPerExtraRow: perRow(pgliteBig, pgliteSmall),
  },
};
console.log(JSON.stringify(report, null, 2));
await onServer(
  ['big', 'small', 'copy', 'template'].map((tag) => `drop database if exists ${prefix}_${tag} with (force)`),
);
rmSync(work, { recursive: true, force: true });
