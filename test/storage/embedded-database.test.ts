/**
 * How the embedded store's PGlite is opened (src/storage/embedded-database.ts):
 * with a 32 MB buffer cache instead of PostgreSQL's 128 MB (half the cost of
 * every open: docs/performance.md), set for the session only, so the store's
 * own postgresql.conf says what initdb wrote.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { openEmbeddedDatabase } from '../../src/storage/embedded-database.js';
import { type Target, createTarget } from '../support/targets.js';

let target: Target | undefined;
afterEach(async () => {
  await target?.dispose();
  target = undefined;
});

it('opens PGlite with 32 MB of shared buffers, leaving the store’s postgresql.conf as it was', async () => {
  target = await createTarget('pglite');
  const dataDir = target.env.CIS_CONTACT_DATA_DIR!;
  const conf = join(dataDir, 'pgdata', 'postgresql.conf');
  const before = readFileSync(conf, 'utf8');
  const opened = await openEmbeddedDatabase(dataDir);
  try {
    const shown = await opened.client.query<{ shared_buffers: string }>('show shared_buffers');
    expect(shown.rows[0]!.shared_buffers).toBe('32MB');
  } finally {
    await opened.close();
  }
  expect(readFileSync(conf, 'utf8')).toBe(before);
  expect(before).not.toMatch(/^shared_buffers = 32MB/m);
});
