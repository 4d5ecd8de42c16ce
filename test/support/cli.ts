/**
 * Runs the CLI as a user would. `runCli` runs it in this process, through the
 * same compiled `main` the binary calls (dist/: build first, as for the
 * binary), with an environment, streams, a working folder and a umask of the
 * test's: no Node start, module load or PGlite WebAssembly compile per
 * command. `spawnCli` and `startCli` run the real, compiled binary, for tests
 * of the process itself: signals, kills, exit codes of a dying process, pipes
 * closing, the kernel lock between two processes.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

/** The built tool's entry point, as bin/cis-contact.js reaches it (typed by its source). */
const { main } = (await import(
  new URL('../../dist/cli/program.js', import.meta.url).href
)) as typeof import('../../src/cli/program.js');

export const BIN = fileURLToPath(new URL('../../bin/cis-contact.js', import.meta.url));

/**
 * Node's options for the binary's processes in tests: WebAssembly compiled by
 * V8's baseline compiler only. A process that opens PGlite otherwise spends
 * about a second of CPU optimising PGlite's code in the background (a `verify`
 * 2.4 s of CPU, 1.2 s with it, 2026-12-07), and these processes are tested for
 * what they do, not how fast. Users' processes run with Node's defaults.
 */
export const NODE_OPTIONS_FOR_TESTS = ['--liftoff-only'];

/** The command line that runs the binary with `args`, as a test spawns it. */
export function binaryCommand(args: string[]): [string, string[]] {
  return [process.execPath, [...NODE_OPTIONS_FOR_TESTS, BIN, ...args]];
}
export const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  json: any;
}

export interface CliOptions {
  /** The working folder: relative paths in the arguments are read from it (default: the test's). */
  cwd?: string;
  /** What the command reads on standard input. */
  input?: string;
  /** `umask`: the file-creation mask the command runs under (octal), as a user's shell would set it. */
  umask?: string;
  /** Run the compiled binary in a process of its own, as `spawnCli` does. */
  spawn?: boolean;
  /** Aborting it is what a first SIGINT is to the binary (in process only). */
  signal?: AbortSignal;
  /** Standard output is a terminal this many columns wide, as Node's stream for one says (in process only). */
  terminal?: { columns: number };
}

function resultOf(code: number | null, stdout: string, stderr: string): CliResult {
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    json = undefined;
  }
  return { code, stdout, stderr, json };
}

/** A stream that keeps what is written to it, as text. */
class Collected extends Writable {
  text = '';
  isTTY?: boolean;
  columns?: number;
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += String(chunk);
    done();
  }
}

/**
 * Node has one working folder and one file-creation mask a process: runs in
 * process take them in turn. Runs in the same folder under the same mask may
 * overlap (two writers racing for the chain); any other run waits until none
 * is under way.
 */
const HOME_FOLDER = process.cwd();
let current: { cwd: string; umask: string | undefined; previousUmask: number | undefined; runs: number } | undefined;
const queued: (() => void)[] = [];

async function inFolder<T>(cwd: string, umask: string | undefined, work: () => Promise<T>): Promise<T> {
  while (current && (current.cwd !== cwd || current.umask !== umask))
    await new Promise<void>((resolve) => queued.push(resolve));
  if (!current) {
    process.chdir(cwd);
    const previousUmask = umask === undefined ? undefined : process.umask(Number.parseInt(umask, 8));
    current = { cwd, umask, previousUmask, runs: 0 };
  }
  current.runs++;
  try {
    return await work();
  } finally {
    if (--current.runs === 0) {
      if (current.previousUmask !== undefined) process.umask(current.previousUmask);
      current = undefined;
      process.chdir(HOME_FOLDER);
      for (const wake of queued.splice(0)) wake();
    }
  }
}

/** In-process runs under way: a test that ended (a timeout) must not leave one holding its store for the next test. */
const underWay = new Set<{ stop: AbortController; done: Promise<unknown> }>();

/** Asks any in-process run still under way to stop, as a first SIGINT would, and waits for it to end (test/support/setup.ts, after each test). */
export async function stopLeftoverRuns(): Promise<void> {
  const left = [...underWay];
  for (const run of left) run.stop.abort('SIGINT');
  await Promise.allSettled(left.map((run) => run.done));
}

/** Runs the CLI in this process (unless `spawn` asks for the binary) and resolves with its exit code and output. */
export async function runCli(
  args: string[],
  env: Record<string, string>,
  options: CliOptions = {},
): Promise<CliResult> {
  if (options.spawn) return spawnCli(args, env, options);
  const stdout = new Collected();
  const stderr = new Collected();
  if (options.terminal) Object.assign(stdout, { isTTY: true, columns: options.terminal.columns });
  const stop = new AbortController();
  options.signal?.addEventListener('abort', () => stop.abort(options.signal!.reason), { once: true });
  const done = inFolder(options.cwd ?? HOME_FOLDER, options.umask, () =>
    main(args, {
      args,
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdin: Readable.from([options.input ?? '']),
      stdout,
      stderr,
      signal: stop.signal,
    }),
  );
  const run = { stop, done };
  underWay.add(run);
  try {
    return resultOf(await done, stdout.text, stderr.text);
  } finally {
    underWay.delete(run);
  }
}

/** Runs the compiled binary in a process of its own, as a user's shell would. */
export function spawnCli(
  args: string[],
  env: Record<string, string>,
  options: { cwd?: string; input?: string; umask?: string } = {},
): Promise<CliResult> {
  const [command, argv] = options.umask
    ? ['/bin/sh', ['-c', 'umask "$0" && exec "$@"', options.umask, ...binaryCommand(args).flat()]]
    : binaryCommand(args);
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, {
      cwd: options.cwd,
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve(resultOf(code, stdout, stderr)));
    child.stdin.end(options.input ?? '');
  });
}

export interface Started {
  child: ChildProcess;
  /** What it has written on stdout so far (with `stdout: true`). */
  stdout(): string;
  /** What it has written on stderr so far. */
  stderr(): string;
  /** Settles when the process exits: its code (null if a signal ended it) and what it said on stderr. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; stdout: string }>;
}

/**
 * Starts the binary in the background, for tests that pause, signal or kill it; `stdout: true` keeps what it prints,
 * `stdin: true` gives the test its standard input to write (`child.stdin`).
 */
export function startCli(
  args: string[],
  env: Record<string, string>,
  options: { cwd?: string; stdout?: boolean; stdin?: boolean } = {},
): Started {
  const child = spawn(...binaryCommand(args), {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: [options.stdin ? 'pipe' : 'ignore', options.stdout ? 'pipe' : 'ignore', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (d) => (stderr += d));
  child.stdout?.on('data', (d) => (stdout += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; stdout: string }>(
    (resolve) => {
      child.on('close', (code, signal) => resolve({ code, signal, stderr, stdout }));
    },
  );
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Loads the sample registry and operators from fixtures/ into the store the
 * environment names. Each sample holds bad rows on purpose (exit 1); any
 * other outcome is a store that tests would read as loaded when it is not,
 * so it stops the run here, saying why.
 */
export async function loadFixtureReferences(env: Record<string, string>): Promise<void> {
  for (const [what, file] of [
    ['registry', 'registry.csv'],
    ['operators', 'operators.csv'],
  ]) {
    const r = await runCli([what!, 'import', `${FIXTURES}${file}`, '--rejects', '/dev/null'], env);
    if ((r.code !== 0 && r.code !== 1) || !/ [1-9]\d* accepted/.test(r.stdout)) {
      throw new Error(`loading fixtures/${file} failed (exit ${r.code}):\n${r.stderr}${r.stdout}`);
    }
  }
}
