/**
 * An empty embedded store made once, when the tool is built, for new stores
 * to start from. PGlite makes a new store by running initdb in a second
 * WebAssembly instance, and a process that did so peaked at about 760 MB
 * (5 s); a store loaded from this template peaked at about 370 MB (1.5 s).
 * The template is PGlite's own dump of a store it has just made
 * (`dumpDataDir`), loaded with its own `loadDataDir`, and named for the
 * PGlite version that made it: another version finds none and runs initdb
 * as before. It holds no schema of the tool's: migrations run on the new
 * store as on any other.
 */

import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PGLITE = '@electric-sql/pglite';

/** The installed PGlite's version, from its package.json (the first above its entry point that names it). */
function pgliteVersion(): string {
  let folder = dirname(createRequire(import.meta.url).resolve(PGLITE));
  for (;;) {
    const manifest = join(folder, 'package.json');
    if (existsSync(manifest)) {
      const { name, version } = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string };
      if (name === PGLITE && version) return version;
    }
    if (dirname(folder) === folder) throw new Error(`${PGLITE}'s package.json was not found above its entry point`);
    folder = dirname(folder);
  }
}

/** Where the template for the installed PGlite is: dist/, beside the compiled code (the path is the same from src/). */
export function storeTemplatePath(): string {
  return fileURLToPath(new URL(`../../dist/store-template/pglite-${pgliteVersion()}.tar.gz`, import.meta.url));
}

/** The template for the installed PGlite, if the build made one. */
export function storeTemplate(): Blob | undefined {
  const path = storeTemplatePath();
  return existsSync(path) ? new Blob([readFileSync(path)]) : undefined;
}

/** Makes the template for the installed PGlite, unless it exists (run by `npm run build`); says whether it made one. */
export async function makeStoreTemplate(): Promise<boolean> {
  const path = storeTemplatePath();
  if (existsSync(path)) return false;
  const { PGlite } = await import('@electric-sql/pglite');
  const scratch = mkdtempSync(join(tmpdir(), 'cis-contact-store-template-'));
  try {
    const db = await PGlite.create(join(scratch, 'pgdata'));
    const dump = await db.dumpDataDir('gzip');
    await db.close();
    mkdirSync(dirname(path), { recursive: true });
    // Written whole, then renamed: an interrupted build leaves no half template.
    writeFileSync(`${path}.partial`, Buffer.from(await dump.arrayBuffer()));
    renameSync(`${path}.partial`, path);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return true;
}
