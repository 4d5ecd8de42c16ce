/**
 * Prepares, once per test run, the stores every test copies instead of making
 * its own: an empty migrated store, and one with the sample registry and
 * operators from fixtures/ loaded. On PGlite, data directories a test copies
 * (no initdb, no migrations, no imports of its own); on the server (with
 * DATABASE_URL), template databases a test's database is created from.
 */

import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { openStore } from '../../src/storage/open-store.js';
import { migrate } from '../../src/storage/migrate.js';
import { serverConnection } from '../../src/storage/connection.js';
import { loadFixtureReferences } from './cli.js';

/** What a test copies a store from: a PGlite data directory, or a server's template database (null without DATABASE_URL). */
export interface StoreTemplates {
  pglite: { migrated: string; fixtures: string };
  postgres: { migrated: string; fixtures: string } | null;
}

declare module 'vitest' {
  export interface ProvidedContext {
    storeTemplates: StoreTemplates;
  }
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** A migrated data directory, then a copy of it with the fixtures loaded. */
async function pgliteTemplates(root: string): Promise<{ migrated: string; fixtures: string }> {
  const migrated = join(root, 'migrated');
  const fixtures = join(root, 'fixtures');
  const store = await openStore({ dataDir: migrated });
  await migrate(store.db);
  await store.close();
  cpSync(migrated, fixtures, { recursive: true });
  await loadFixtureReferences({ CIS_CONTACT_DATA_DIR: fixtures, DATABASE_URL: '' });
  return { migrated, fixtures };
}

async function serverTemplate(admin: postgres.Sql, url: string, name: string, fixtures: boolean): Promise<string> {
  await admin.unsafe(`drop database if exists ${name}`);
  await admin.unsafe(`create database ${name}`);
  const own = withDatabase(url, name);
  const store = await openStore({ server: serverConnection(own, {})!, dataDir: '' });
  await migrate(store.db);
  await store.close();
  if (fixtures) await loadFixtureReferences({ DATABASE_URL: own });
  // Copied by CREATE DATABASE … TEMPLATE, which needs no one connected to it.
  await admin.unsafe(`alter database ${name} with is_template true allow_connections false`);
  return name;
}

async function dropTemplate(admin: postgres.Sql, name: string): Promise<void> {
  await admin.unsafe(`alter database ${name} with is_template false`);
  await admin.unsafe(`drop database if exists ${name} with (force)`);
}

export default async function setup(project: TestProject) {
  // The templates are made in this process, whose commands must not leave a resident holder running (vitest.config.ts).
  process.env.CIS_CONTACT_NO_HOLDER = '1';
  const root = mkdtempSync(join(tmpdir(), 'cis-contact-template-'));
  const url = process.env.DATABASE_URL;
  const admin = url ? postgres(url, { max: 1, onnotice: () => {} }) : undefined;
  const prefix = `cis_template_${process.pid}`;
  const [pglite, serverMigrated, serverFixtures] = await Promise.all([
    pgliteTemplates(root),
    admin ? serverTemplate(admin, url!, `${prefix}_migrated`, false) : undefined,
    admin ? serverTemplate(admin, url!, `${prefix}_fixtures`, true) : undefined,
  ]);
  project.provide('storeTemplates', {
    pglite,
    postgres: serverMigrated && serverFixtures ? { migrated: serverMigrated, fixtures: serverFixtures } : null,
  });
  return async () => {
    rmSync(root, { recursive: true, force: true });
    if (admin) {
      for (const name of [serverMigrated, serverFixtures]) if (name) await dropTemplate(admin, name);
      await admin.end();
    }
  };
}
