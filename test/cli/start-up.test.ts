/**
 * What a command loads before it needs it: the command tree, `--version`
 * and the resident holder load no database code they do not use (drizzle,
 * postgres.js), since every `record` from a script and every holder start
 * pays for what is loaded. Real processes: module loading is the process's own.
 * The binary runs the bundle (build.config.mjs), where a package's code is
 * inside the chunks that hold it: the bundle's metafile says which.
 */

import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, spawnCli } from '../support/cli.js';
import { type Target, createTarget } from '../support/targets.js';
import { scratchFolder } from '../support/scratch.js';

const MODULE_LOG = fileURLToPath(new URL('../support/module-log.mjs', import.meta.url));

function loadedBy(log: string): string[] {
  return readFileSync(log, 'utf8').trim().split('\n');
}

const BUNDLE = fileURLToPath(new URL('../../dist/bundle/', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Each file of the bundle (as a path from the project's root) with the modules built into it. */
function bundleInputs(): Map<string, string[]> {
  const meta = JSON.parse(readFileSync(join(BUNDLE, 'meta.json'), 'utf8')) as {
    outputs: Record<string, { inputs: Record<string, unknown> }>;
  };
  return new Map(Object.entries(meta.outputs).map(([file, output]) => [file, Object.keys(output.inputs)]));
}

/** The modules of package `pkg` a process loaded: its own files, or the bundle's chunks that hold its code. */
function from(modules: string[], pkg: string): string[] {
  const inputs = bundleInputs();
  return modules.filter((url) => {
    if (url.includes(`/node_modules/${pkg}/`)) return true;
    if (!url.startsWith('file:')) return false;
    const built = inputs.get(fileURLToPath(url).slice(ROOT.length)) ?? [];
    return built.some((input) => input.startsWith(`node_modules/${pkg}/`));
  });
}

describe('start-up', () => {
  it('--version loads no database code', async () => {
    const folder = scratchFolder('cis-contact-start-up-');
    const log = join(folder, 'modules.txt');
    const r = await spawnCli(['--version'], { NODE_OPTIONS: `--import ${MODULE_LOG}`, MODULE_LOG: log });
    expect(r.code).toBe(0);
    const modules = loadedBy(log);
    // The log works: the binary's bundle is in it.
    expect(modules.some((url) => url.endsWith('/dist/bundle/index.js'))).toBe(true);
    expect(from(modules, 'drizzle-orm')).toEqual([]);
    expect(from(modules, 'postgres')).toEqual([]);
    expect(from(modules, '@electric-sql/pglite')).toEqual([]);
  });

  it('postgres.js stays outside the bundle, where its stray throw after a lost connection is known by its path', () => {
    // postgres-stray-write.ts recognises the throw by postgres/src/connection.js in its stack.
    const bundled = [...bundleInputs()].filter(([, inputs]) =>
      inputs.some((i) => i.startsWith('node_modules/postgres/')),
    );
    expect(bundled).toEqual([]);
    expect([...bundleInputs()].length).toBeGreaterThan(0);
  });

  it("the bundle's reading thread finds its worker beside it, as the compiled modules do", () => {
    // reader-thread.ts starts `./read-worker.js` from its own folder and reads on the main thread when it is missing.
    const holding = [...bundleInputs()].filter(([, inputs]) => inputs.includes('dist/csv/reader-thread.js'));
    expect(holding.length).toBe(1);
    const [file] = holding[0]!;
    expect(existsSync(join(ROOT, dirname(file), 'read-worker.js'))).toBe(true);
  });

  let target: Target | undefined;
  afterEach(async () => {
    await target?.dispose();
    target = undefined;
  });

  it('a reading command loads drizzle and PGlite, seen inside the bundle', async () => {
    const folder = scratchFolder('cis-contact-start-up-');
    const log = join(folder, 'modules.txt');
    target = await createTarget('pglite');
    const r = await spawnCli(['verify'], {
      ...target.env,
      NODE_OPTIONS: `--import ${MODULE_LOG}`,
      MODULE_LOG: log,
    });
    expect(r.code).toBe(0);
    const modules = loadedBy(log);
    expect(from(modules, 'drizzle-orm').length).toBeGreaterThan(0);
    expect(from(modules, '@electric-sql/pglite').length).toBeGreaterThan(0);
  });

  it('the resident holder loads PGlite and no drizzle or postgres.js', async () => {
    const folder = scratchFolder('cis-contact-start-up-');
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
    // The check sees into the bundle: the chunks holding drizzle and postgres.js exist, unloaded here.
    const chunks = [...bundleInputs()].filter(([, inputs]) =>
      inputs.some((i) => i.startsWith('node_modules/drizzle-orm/')),
    );
    expect(chunks.length).toBeGreaterThan(0);
    expect(from(modules, 'drizzle-orm')).toEqual([]);
    expect(from(modules, 'postgres')).toEqual([]);
  });
});
