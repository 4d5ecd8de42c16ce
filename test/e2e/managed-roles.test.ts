/**
 * `db roles` on a server as a managed service runs it: no superuser, the
 * store's database owned by a login with CREATEROLE (PostgreSQL 15's rules).
 * Logins, databases and roles are made here and dropped afterwards (roles
 * belong to the whole server). One migrated store is prepared: the tests that
 * are refused read it as it is, and a test that gives roles to a store (or
 * drops them) does so on a copy of its own. Each test starts with the owner
 * not yet allowed to create roles, and makes what else it needs: no test
 * leans on another's roles or databases.
 */

import postgres from 'postgres';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
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
  /** Migrated, holding the fixtures' references, owned by the owner, and given no roles: no test changes it. */
  const prepared = `cis_test_mr_${suffix}`;
  let tests = 0;
  /** The store this test uses: `prepared`, or a copy of its own (`ownStore`). */
  let store: string;
  /** A database of the owner's besides the store, for a test that makes one. */
  let second: string;
  /** A role prefix for that other database. */
  let shared: string;
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
  /** A new database made by the owner, as on a managed service: a copy of `template`, or empty. */
  const ownerCreates = async (database: string, template?: string) => {
    const owner = postgres(url(login.owner, 'postgres'), { max: 1, onnotice: () => {} });
    try {
      await owner.unsafe(`create database ${database}${template ? ` template ${template}` : ''}`);
    } finally {
      await owner.end();
    }
  };
  /** A copy of `prepared` for this test to change, made by the owner. */
  const ownStore = async () => {
    store = `${prepared}_${tests}`;
    await ownerCreates(store, prepared);
  };
  const ownerMayCreateRoles = () => server.unsafe(`alter role ${login.owner} createrole`);
  /** The second database with roles of its own under the prefix `shared`, made by the owner. */
  const secondWithSharedRoles = async () => {
    await ownerCreates(second);
    const made = await runCli(['db', 'roles', '--prefix', shared], as(login.owner, second));
    expect(made.code, made.stderr).toBe(0);
  };

  beforeAll(async () => {
    server = postgres(SERVER_URL!, { max: 1, onnotice: () => {}, ...CURRENT_CLIENT });
    // The owner may create databases but, at first, not roles.
    await server.unsafe(`create role ${login.owner} login createdb nocreaterole nosuperuser`);
    await server.unsafe(`create role ${login.other} login createrole nosuperuser`);
    for (const name of [login.recorder, login.nobody]) await server.unsafe(`create role ${name} login`);
    await ownerCreates(prepared);
    const migrated = await runCli(['db', 'migrate'], as(login.owner, prepared));
    expect(migrated.code, migrated.stderr).toBe(0);
    await loadFixtureReferences(as(login.owner, prepared));
  }, 120_000);

  beforeEach(async () => {
    tests += 1;
    store = prepared;
    second = `cis_test_mr2_${suffix}_${tests}`;
    shared = `mshared_${suffix}_${tests}`;
    // CREATEROLE belongs to the login, server-wide: a test that needs it grants it itself.
    await server.unsafe(`alter role ${login.owner} nocreaterole`);
  });

  afterEach(async () => {
    for (const database of [store, second].filter((d) => d !== prepared)) {
      await server.unsafe(`drop database if exists ${database} with (force)`);
      await dropStoreRoles(server, database);
    }
  });

  afterAll(async () => {
    await server.unsafe(`drop database if exists ${prepared} with (force)`);
    await dropStoreRoles(server, prepared);
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
    await ownStore();
    await ownerMayCreateRoles();
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
    await ownerMayCreateRoles();
    await secondWithSharedRoles();
    const refused = await runCli(['db', 'roles', '--drop', '--prefix', shared], as(login.owner));
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${shared}_admin (cis-contact admin of database ${second})`);
    expect(await roleExists(`${shared}_admin`)).toBe(true);
  });

  it("--drop removes the store's roles, giving the tables back to the owner, and lists roles whose database is gone", async () => {
    // The store's roles, one granted to a login that recorded through it; and roles of a database gone since.
    await ownStore();
    await ownerMayCreateRoles();
    const roles = await runCli(['db', 'roles'], as(login.owner));
    expect(roles.code, roles.stderr).toBe(0);
    await server.unsafe(`grant ${role('recorder')} to ${login.recorder}`);
    const recorded = await runCli(RECORD, as(login.recorder));
    expect(recorded.code, recorded.stderr).toBe(0);
    await secondWithSharedRoles();
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
