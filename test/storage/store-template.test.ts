/**
 * New embedded stores start from the empty store the build makes
 * (src/storage/store-template.ts), not from initdb: about half the memory.
 * Two stores made from it share PostgreSQL's system identifier, which
 * initdb makes anew for each, so that is how a test tells them apart.
 */

import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { openEmbeddedDatabase } from '../../src/storage/embedded-database.js';
import { storeTemplatePath } from '../../src/storage/store-template.js';
import { BIN } from '../support/cli.js';
import { scratchFolder } from '../support/scratch.js';

let folder: string | undefined;
afterEach(() => {
  if (folder) rmSync(folder, { recursive: true, force: true });
  folder = undefined;
});

async function systemIdentifier(dataDir: string): Promise<string> {
  const opened = await openEmbeddedDatabase(dataDir);
  try {
    const { rows } = await opened.client.query<{ id: string }>(
      'select system_identifier::text as id from pg_catalog.pg_control_system()',
    );
    return rows[0]!.id;
  } finally {
    await opened.close();
  }
}

it('the build made the template for the installed PGlite', () => {
  // Without it every new store would quietly run initdb again, at twice the memory.
  expect(existsSync(storeTemplatePath())).toBe(true);
});

it('two new stores are made from the template: the same system identifier, each its own files', async () => {
  folder = scratchFolder('cis-contact-template-');
  const first = await systemIdentifier(join(folder, 'one'));
  const second = await systemIdentifier(join(folder, 'two'));
  expect(first).toMatch(/^\d+$/);
  expect(second).toBe(first);
});

it('making a store and migrating it stays under 500 MB', () => {
  folder = scratchFolder('cis-contact-template-');
  const made = spawnSync(
    '/usr/bin/time',
    ['-f', '%M', process.execPath, BIN, '--no-holder', 'db', 'migrate', '--data-dir', join(folder, 'store')],
    { encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' } },
  );
  expect(made.status).toBe(0);
  expect(made.stdout).toMatch(/^Applied \d+ migrations/);
  const peakKb = Number(made.stderr.trim().split('\n').at(-1));
  expect(peakKb).toBeGreaterThan(100_000);
  expect(peakKb).toBeLessThan(500_000);
});
