/** Runs the real, compiled binary as a user would. */

import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/cis-contact.js', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  json: any;
}

/** `umask`: the file-creation mask the command runs under (through sh), as a user's shell would set it. */
export function runCli(args: string[], env: Record<string, string>, options: { cwd?: string; input?: string; umask?: string } = {}): Promise<CliResult> {
  const [command, argv] = options.umask
    ? ['/bin/sh', ['-c', 'umask "$0" && exec "$@"', options.umask, process.execPath, BIN, ...args]]
    : [process.execPath, [BIN, ...args]];
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
    child.on('close', (code) => {
      let json: unknown;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = undefined;
      }
      resolve({ code, stdout, stderr, json });
    });
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

/** Starts the binary in the background, for tests that pause, signal or kill it; `stdout: true` keeps what it prints. */
export function startCli(args: string[], env: Record<string, string>, options: { cwd?: string; stdout?: boolean } = {}): Started {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', options.stdout ? 'pipe' : 'ignore', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (d) => (stderr += d));
  child.stdout?.on('data', (d) => (stdout += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; stdout: string }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stderr, stdout }));
  });
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Loads the sample registry and operators from fixtures/ into the store the environment names. */
export async function loadFixtureReferences(env: Record<string, string>): Promise<void> {
  for (const [what, file] of [['registry', 'registry.csv'], ['operators', 'operators.csv']]) {
    await runCli([what!, 'import', `${FIXTURES}${file}`, '--rejects', '/dev/null'], env);
  }
}
