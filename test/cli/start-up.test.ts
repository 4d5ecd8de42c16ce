/**
 * What a command loads before it needs it: the command tree, `--version`
 * and the resident holder load no database code they do not use (drizzle,
 * postgres.js), since every `record` from a script and every holder start
 * pays for what is loaded. Real processes: module loading is the process's own.
 */

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, spawnCli } from '../support/cli.js';
import { type Target, createTarget } from '../support/targets.js';

const MODULE_LOG = fileURLToPath(new URL('../support/module-log.mjs', import.meta.url));

let folder: string;
afterEach(() => rmSync(folder, { recursive: true, force: true }));

function loadedBy(log: string): string[] {
  return readFileSync(log, 'utf8').trim().split('\n');
}

const from = (modules: string[], pkg: string) => modules.filter((url) => url.includes(`/node_modules/${pkg}/`));

describe('start-up', () => {
  it('--version loads no database code', async () => {
    folder = mkdtempSync(join(tmpdir(), 'cis-contact-start-up-'));
    const log = join(folder, 'modules.txt');
    const r = await spawnCli(['--version'], { NODE_OPTIONS: `--import ${MODULE_LOG}`, MODULE_LOG: log });
    expect(r.code).toBe(0);
    const modules = loadedBy(log);
    // The log works: the command tree itself is in it.
    expect(modules.some((url) => url.endsWith('/dist/cli/program.js'))).toBe(true);
    expect(from(modules, 'drizzle-orm')).toEqual([]);
    expect(from(modules, 'postgres')).toEqual([]);
    expect(from(modules, '@electric-sql/pglite')).toEqual([]);
  });

  let target: Target | undefined;
  afterEach(async () => {
    await target?.dispose();
    target = undefined;
  });

  it('the resident holder loads PGlite and no drizzle or postgres.js', async () => {
    folder = mkdtempSync(join(tmpdir(), 'cis-contact-start-up-'));
    const log = join(folder, 'modules.txt');
    target = await createTarget('pglite');
    const holder = spawn(process.execPath, [BIN, 'db', 'serve', '--data-dir', target.env.CIS_CONTACT_DATA_DIR!], {
      env: { ...process.env, CIS_CONTACT_NO_HOLDER: '', NODE_OPTIONS: `--import ${MODULE_LOG}`, MODULE_LOG: log },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => holder.on('close', (code) => resolve(code)));
    // Its first word says it serves the store: everything it needs for that is loaded by then.
    const word = await new Promise<string>((resolve) => holder.stdout.once('data', (d) => resolve(String(d).trim())));
    expect(word).toBe('ready');
    holder.kill('SIGTERM');
    // Stopped by SIGTERM as by `db stop`: it closes the store and exits 143, as every command does on SIGTERM.
    expect(await exited).toBe(143);
    const modules = loadedBy(log);
    expect(from(modules, '@electric-sql/pglite').length).toBeGreaterThan(0);
    expect(from(modules, 'drizzle-orm')).toEqual([]);
    expect(from(modules, 'postgres')).toEqual([]);
  });
});
