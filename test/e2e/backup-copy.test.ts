/**
 * A copy of a server store made by the runbook (docs/operations.md):
 * pg_dump -Fc, a new database, pg_restore, then `db roles` on the copy. The
 * copy keeps the original's grants until `db roles` takes them back. The
 * original and its dump are made once; each test gets a copy restored anew,
 * and the original's roles as the dump knew them, whatever a test before it
 * took back or dropped.
 */

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { databaseOf, defaultRolePrefix, roleName } from '../../src/storage/roles.js';
import { runCli } from '../support/cli.js';
import { CURRENT_CLIENT, SERVER_URL, type Target, dropStoreRoles, fixtureStore, withUser } from '../support/targets.js';
import { scratchFolder } from '../support/scratch.js';

const RECORD = [
  'record',
  '--utr',
  '1955839661',
  '--channel',
  'internal-enquiry',
  '--subject',
  'Letter',
  '--operator',
  '1234567',
];

describe.skipIf(!SERVER_URL)('a pg_dump / pg_restore copy of a store, and db roles on it', () => {
  const suffix = `${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const login = { recorder: `crec_${suffix}`, nobody: `cnob_${suffix}` };
  const copy = `cis_test_copy_${suffix}`;
  let target: Target;
  let original: string;
  let server: postgres.Sql;
  let copyUrl: string;
  let dump: string;
  const inCopy = (who: string) => ({ DATABASE_URL: withUser(copyUrl, who) });
  const originalRole = (job: 'auditor' | 'recorder' | 'admin') => roleName(defaultRolePrefix(original), job);
  /** How many roles under the original's prefix the server has. */
  const originalRoles = async () => {
    const [row] = await server<
      { n: number }[]
    >`select count(*)::int as n from pg_roles where rolname like ${`${defaultRolePrefix(original)}\\_%`}`;
    return row!.n;
  };
  /** The original's roles, one of them granted to the recorder: made again when a test dropped them. */
  const giveOriginalRoles = async () => {
    expect((await runCli(['db', 'roles'], target.env)).code).toBe(0);
    await server.unsafe(`grant ${originalRole('recorder')} to ${login.recorder}`);
  };

  beforeAll(async () => {
    ({ target } = await fixtureStore('postgres', 'copy'));
    original = databaseOf(target.env.DATABASE_URL!);
    server = postgres(SERVER_URL!, { max: 1, onnotice: () => {}, ...CURRENT_CLIENT });
    for (const name of Object.values(login)) await server.unsafe(`create role ${name} login`);
    await giveOriginalRoles();
    const recorded = await runCli([...RECORD, '--action', 'in the original'], {
      DATABASE_URL: withUser(target.env.DATABASE_URL!, login.recorder),
    });
    expect(recorded.code, recorded.stderr).toBe(0);

    // The runbook: pg_dump -Fc, createdb, pg_restore (as a superuser: owners and grants come along).
    dump = join(scratchFolder('cis-contact-copy-'), 'store.dump');
    const dumped = spawnSync('pg_dump', ['-Fc', '-f', dump, '-d', target.env.DATABASE_URL!], { encoding: 'utf8' });
    expect(dumped.status, dumped.stderr).toBe(0);
    copyUrl = new URL(`/${copy}`, SERVER_URL).toString();
  }, 180_000);

  beforeEach(async () => {
    // A test that dropped the original's roles: they come back under the same names, which the dump grants to.
    if ((await originalRoles()) !== 3) await giveOriginalRoles();
    await server.unsafe(`create database ${copy}`);
    const restored = spawnSync('pg_restore', ['-d', copyUrl, dump], { encoding: 'utf8' });
    expect(restored.status, restored.stderr).toBe(0);
  });

  afterEach(async () => {
    await server.unsafe(`drop database if exists ${copy} with (force)`);
    await dropStoreRoles(server, copy);
  });

  afterAll(async () => {
    await target.dispose();
    for (const name of Object.values(login)) await server.unsafe(`drop role if exists ${name}`);
    await server.end();
  });

  it("the original's roles cannot be dropped while the copy still grants to them: nothing is dropped, and the copy is named", async () => {
    const refused = await runCli(['db', 'roles', '--drop'], target.env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`in database ${copy}`);
    expect(refused.stderr).toContain('run cis-contact db roles there first');
    expect(await originalRoles()).toBe(3);
  });

  it("db roles on the copy takes back the original's roles' grants and says so; the copy is closed to them and to PUBLIC, and verifies", async () => {
    const roles = await runCli(['db', 'roles'], inCopy('postgres'));
    expect(roles.code, roles.stderr).toBe(0);
    expect(roles.stdout).toContain('This database is a copy of another store');
    for (const job of ['admin', 'auditor', 'recorder'] as const)
      expect(roles.stdout).toContain(`${originalRole(job)}   -- of database ${original}`);
    const again = await runCli(['db', 'roles', '--json'], inCopy('postgres'));
    expect(again.json.revokedFrom).toEqual([]);

    const database = postgres(copyUrl, { max: 1, onnotice: () => {} });
    try {
      const held = await database<{ role: string }[]>`
        select distinct r.rolname::text as role from pg_shdepend d join pg_roles r on r.oid = d.refobjid, pg_database here
        where here.datname = current_database() and (d.dbid = here.oid or (d.classid = 'pg_database'::regclass and d.objid = here.oid))`;
      expect(held.map((h) => h.role).filter((r) => r.startsWith(defaultRolePrefix(original)))).toEqual([]);
      const [acl] = await database<
        { public_connect: boolean }[]
      >`select has_database_privilege('public', current_database(), 'CONNECT') as public_connect`;
      expect(acl!.public_connect).toBe(false);
    } finally {
      await database.end();
    }

    const recorder = await runCli([...RECORD, '--action', 'in the copy'], inCopy(login.recorder));
    expect(recorder.code).toBe(3);
    expect(recorder.stderr).toContain('permission denied for database');
    const nobody = await runCli(['history', '1955839661', '--all'], inCopy(login.nobody));
    expect(nobody.code).toBe(3);
    expect(nobody.stderr).toContain('[permission-denied]');

    const verified = await runCli(['verify', '--json'], inCopy('postgres'));
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.json.checked).toBe(1);
    // Nothing of the copy holds the original's roles now, so they can go.
    const dropped = await runCli(['db', 'roles', '--drop'], target.env);
    expect(dropped.code, dropped.stderr).toBe(0);
  });
});
