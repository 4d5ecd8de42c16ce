/**
 * The embedded store's figures, for record-latency.mjs: each command a fresh
 * process, as from a shell. Times are wall clock (median), memory the
 * process's peak RSS as GNU time reports it (null where it is missing).
 *  - record --no-holder: PGlite opened in the command's own process;
 *  - the first record, which starts the holder; then records with it warm;
 *  - 50 record processes one after another against one run of the same 50 lines;
 *  - a history asked while a run of SCRIPT_LINES lines records;
 *  - the holder's own peak RSS at the end.
 */

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const GNU_TIME = '/usr/bin/time';
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => Number(x.toFixed(1));

export async function holderFigures(root, runs, scriptLines) {
  const cli = join(root, 'bin/cis-contact.js');
  const dir = mkdtempSync(join(tmpdir(), 'cis-bench-holder-'));
  const store = join(dir, 'store');
  const env = {
    ...process.env,
    NO_COLOR: '1',
    DATABASE_URL: '',
    CIS_CONTACT_DATA_DIR: store,
    CIS_CONTACT_HOLDER_IDLE: '600',
    CIS_CONTACT_NO_HOLDER: '',
  };
  const own = { ...env, CIS_CONTACT_NO_HOLDER: '1' };

  /** Runs the CLI: its time in ms and peak RSS in MB. */
  const timed = (args, withEnv = env, okCodes = [0]) => {
    const measured = existsSync(GNU_TIME);
    const [command, argv] = measured
      ? [GNU_TIME, ['-f', 'maxrss-kb %M', process.execPath, cli, ...args]]
      : [process.execPath, [cli, ...args]];
    const t0 = process.hrtime.bigint();
    const r = spawnSync(command, argv, { env: withEnv, cwd: dir, encoding: 'utf8' });
    const took = Number(process.hrtime.bigint() - t0) / 1e6;
    if (!okCodes.includes(r.status)) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    const kb = measured ? /maxrss-kb (\d+)/.exec(r.stderr)?.[1] : undefined;
    return { ms: took, mb: kb ? Number(kb) / 1024 : null };
  };

  let calls = 0;
  const recordArgs = () => [
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
    `Embedded call ${++calls}`,
  ];
  const record = (withEnv) => timed(['record', ...recordArgs()], withEnv);

  try {
    timed(['registry', 'import', join(root, 'fixtures/registry.csv'), '--rejects', '/dev/null'], own, [0, 1]);
    timed(['operators', 'import', join(root, 'fixtures/operators.csv'), '--rejects', '/dev/null'], own, [0, 1]);

    const inProcess = Array.from({ length: runs }, () => record(own));
    const first = record(env);
    const warm = Array.from({ length: runs }, () => record(env));

    const t50 = process.hrtime.bigint();
    for (let i = 0; i < 50; i++) record(env);
    const fiftyMs = Number(process.hrtime.bigint() - t50) / 1e6;
    const scriptOf = (lines) =>
      `${Array.from({ length: lines }, () =>
        recordArgs()
          .map((w) => `'${w}'`)
          .join(' '),
      ).join('\n')}\n`;
    writeFileSync(join(dir, 'fifty.txt'), scriptOf(50));
    const runFifty = timed(['run', join(dir, 'fifty.txt')]);

    // A long run, and a history asked once it has recorded its first hundred lines.
    writeFileSync(join(dir, 'long.txt'), scriptOf(scriptLines));
    const long = spawn(process.execPath, [cli, 'run', join(dir, 'long.txt')], {
      env,
      cwd: dir,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let printed = '';
    long.stdout.on('data', (d) => (printed += d));
    const ended = new Promise((resolve) => long.on('close', resolve));
    const seen = Math.min(100, scriptLines);
    while (!printed.includes(`line ${seen}:`)) {
      if (long.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const runStillGoing = long.exitCode === null;
    const history = await new Promise((resolve) => {
      const t0 = process.hrtime.bigint();
      const h = spawn(process.execPath, [cli, 'history', '1955839661'], { env, cwd: dir, stdio: 'ignore' });
      h.on('close', () => resolve(Number(process.hrtime.bigint() - t0) / 1e6));
    });
    await ended;

    const pid = spawnSync('pgrep', ['-f', `db serve --data-dir ${store}$`], { encoding: 'utf8' }).stdout.trim();
    const status = pid ? readFileSync(`/proc/${pid}/status`, 'utf8') : '';
    const hwm = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    return {
      recordNoHolderMs: ms(median(inProcess.map((x) => x.ms))),
      recordNoHolderPeakMb: inProcess[0].mb === null ? null : ms(Math.max(...inProcess.map((x) => x.mb))),
      firstRecordStartingHolderMs: ms(first.ms),
      recordWarmMs: ms(median(warm.map((x) => x.ms))),
      recordWarmPeakMb: warm[0].mb === null ? null : ms(Math.max(...warm.map((x) => x.mb))),
      fiftyRecordProcessesMs: ms(fiftyMs),
      runOfFiftyLinesMs: ms(runFifty.ms),
      historyDuringRunMs: ms(history),
      historyAskedWhileRunRecorded: runStillGoing,
      scriptLines,
      holderPeakMb: hwm ? ms(Number(hwm) / 1024) : null,
      targets: {
        recordWarmMs: 300,
        recordWarmPeakMb: 150,
        firstRecordStartingHolderMs: 1500,
        historyDuringRunMs: 5000,
      },
    };
  } finally {
    spawnSync(process.execPath, [cli, 'db', 'stop'], { env, cwd: dir });
    rmSync(dir, { recursive: true, force: true });
  }
}
