/**
 * `db roles` on a server as a managed service runs it: no superuser, the
 * store's database owned by a login with CREATEROLE (PostgreSQL 15's rules).
 * Logins, databases and roles are made here and dropped afterwards (roles
 * belong to the whole server).
 */

import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRolePrefix, roleName } from '../../src/storage/roles.js';
import { loadFixtureReferences, runCli } from '../support/cli.js';
import { CURRENT_CLIENT, SERVER_URL, dropStoreRoles, withUser } from '../support/targets.js';

const RECORD = [
  'record',
  '--utr',
  '1955839661',
  '--channel',
  'internal-enquiry',
  '--subject',
  'Letter',
  '--action',
  'managed',
  '--operator',
  '1234567',
];

describe.skipIf(!SERVER_URL)('db roles by a database owner with CREATEROLE, and db roles --drop', () => {
  const suffix = `${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const login = {
    owner: `mown_${suffix}`,
    other: `moth_${suffix}`,
    recorder: `mrec_${suffix}`,
    nobody: `mnob_${suffix}`,
  };
  const store = `cis_test_mr_${suffix}`;
  const second = `cis_test_mr2_${suffix}`;
  const shared = `mshared_${suffix}`;
  const role = (job: 'auditor' | 'recorder' | 'admin') => roleName(defaultRolePrefix(store), job);
  let server: postgres.Sql;
  const url = (who: string, database = store) => {
    const u = new URL(withUser(SERVER_URL!, who));
    u.pathname = `/${database}`;
    return u.toString();
  };
  const as = (who: string, database = store) => ({ DATABASE_URL: url(who, database) });
  const roleExists = async (name: string) =>
    (await server`select 1 from pg_roles where rolname = ${name}`).length === 1;

  beforeAll(async () => {
    server = postgres(SERVER_URL!, { max: 1, onnotice: () => {}, ...CURRENT_CLIENT });
    // The owner may create databases but, at first, not roles.
    await server.unsafe(`create role ${login.owner} login createdb nocreaterole nosuperuser`);
    await server.unsafe(`create role ${login.other} login createrole nosuperuser`);
    for (const name of [login.recorder, login.nobody]) await server.unsafe(`create role ${name} login`);
    const owner = postgres(url(login.owner, 'postgres'), { max: 1, onnotice: () => {} });
    await owner.unsafe(`create database ${store}`);
    await owner.unsafe(`create database ${second}`);
    await owner.end();
    const migrated = await runCli(['db', 'migrate'], as(login.owner));
    expect(migrated.code, migrated.stderr).toBe(0);
    await loadFixtureReferences(as(login.owner));
  }, 120_000);

  afterAll(async () => {
    for (const database of [store, second]) {
      await server.unsafe(`drop database if exists ${database} with (force)`);
      await dropStoreRoles(server, database);
    }
    for (const name of Object.values(login)) await server.unsafe(`drop role if exists ${name}`);
    await server.end();
  });

  it('a login that may not create roles is told what it lacks, naming no role that does not exist', async () => {
    for (const args of [
      ['db', 'roles'],
      ['db', 'roles', '--prefix', shared],
    ]) {
      const refused = await runCli(args, as(login.owner));
      expect(refused.code, refused.stderr).toBe(3);
      expect(refused.stderr).toContain(`${login.owner} has neither SUPERUSER nor CREATEROLE`);
      expect(refused.stderr).toContain(`ALTER ROLE ${login.owner} CREATEROLE`);
      expect(refused.stderr).not.toMatch(/_admin|_recorder|_auditor|internal error/);
    }
    expect(await roleExists(role('admin'))).toBe(false);
  });

  it('a CREATEROLE login that does not own the database is told whose it is', async () => {
    const refused = await runCli(['db', 'roles'], as(login.other));
    expect(refused.code, refused.stderr).toBe(3);
    expect(refused.stderr).toContain(`the database ${store} belongs to ${login.owner}`);
    expect(refused.stderr).toContain(`a login with CREATEROLE that is (or is a member of) ${login.owner}`);
    expect(refused.stderr).not.toMatch(/_admin|internal error/);
  });

  it('the owner with CREATEROLE gives the store its roles; a login granted one records, a login without any cannot connect', async () => {
    await server.unsafe(`alter role ${login.owner} createrole`);
    const roles = await runCli(['db', 'roles', '--json'], as(login.owner));
    expect(roles.code, roles.stderr).toBe(0);
    expect(roles.json).toMatchObject({
      created: [role('auditor'), role('recorder'), role('admin')],
      joinedAdmin: login.owner,
      revokedFrom: [],
    });
    const superuser = postgres(url('postgres'), { max: 1, onnotice: () => {} });
    const [owner] = await superuser<
      { tableowner: string }[]
    >`select tableowner::text from pg_tables where schemaname = 'public' and tablename = 'contacts'`;
    await superuser.end();
    expect(owner!.tableowner).toBe(role('admin'));
    // Idempotent, and the owner (now in the admin role) can run it again.
    expect((await runCli(['db', 'roles'], as(login.owner))).code).toBe(0);

    // The owner grants the role itself, as a managed service's administrator would.
    const owning = postgres(url(login.owner), { max: 1, onnotice: () => {} });
    await owning.unsafe(`grant ${role('recorder')} to ${login.recorder}`);
    await owning.end();
    const recorded = await runCli(RECORD, as(login.recorder));
    expect(recorded.code, recorded.stderr).toBe(0);
    const denied = await runCli(['history', '1955839661', '--all'], as(login.nobody));
    expect(denied.code).toBe(3);
    expect(denied.stderr).toContain('permission denied for database');
    // Migrations by the owner act as the admin role.
    expect((await runCli(['db', 'migrate'], as(login.owner))).code).toBe(0);
  });

  it('--drop refuses roles that belong to another database, naming it', async () => {
    const made = await runCli(['db', 'roles', '--prefix', shared], as(login.owner, second));
    expect(made.code, made.stderr).toBe(0);
    const refused = await runCli(['db', 'roles', '--drop', '--prefix', shared], as(login.owner));
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${shared}_admin (cis-contact admin of database ${second})`);
    expect(await roleExists(`${shared}_admin`)).toBe(true);
  });

  it("--drop removes the store's roles, giving the tables back to the owner, and lists roles whose database is gone", async () => {
    await server.unsafe(`drop database ${second} with (force)`);
    const dropped = await runCli(['db', 'roles', '--drop'], as(login.owner));
    expect(dropped.code, dropped.stderr).toBe(0);
    for (const job of ['auditor', 'recorder', 'admin'] as const) {
      expect(dropped.stdout).toContain(role(job));
      expect(await roleExists(role(job))).toBe(false);
    }
    expect(dropped.stdout).toContain(`was granted to ${login.recorder}`);
    expect(dropped.stdout).toContain(`DROP ROLE "${shared}_admin";   -- database ${second}`);
    expect(await roleExists(`${shared}_admin`)).toBe(true);

    const refused = await runCli(RECORD, as(login.recorder));
    expect(refused.code).toBe(3);
    const verified = await runCli(['verify', '--json'], as(login.owner));
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.json.checked).toBe(1);
    // Nothing left to drop: said so.
    const again = await runCli(['db', 'roles', '--drop'], as(login.owner));
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('nothing to drop');
  });
});
