/**
 * Creates one migrated PGlite data directory per test run; each test file
 * copies it instead of paying PGlite's initdb (several seconds) itself.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { openStore } from '../../src/storage/open-store.js';
import { migrate } from '../../src/storage/migrate.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
  }
}

export default async function setup(project: TestProject) {
  const root = mkdtempSync(join(tmpdir(), 'cis-contact-template-'));
  const store = await openStore({ dataDir: root });
  await migrate(store.db);
  await store.close();
  project.provide('pgliteTemplate', root);
  return () => rmSync(root, { recursive: true, force: true });
}
