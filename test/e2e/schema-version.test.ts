/**
 * Rollouts that cannot corrupt the chain: a client hashes what it knows of a
 * contact, so only a client of the store's own schema version may write to
 * it. On a server only `db migrate` upgrades a store; the database itself
 * refuses a writer that declares no version or another one; a client behind
 * its store refuses to touch it. An embedded store upgrades itself.
 */

import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_SCHEMA_VERSION } from '../../src/storage/client-version.js';
import { runCli } from '../support/cli.js';
import {
  DRIVERS,
  SERVER_URL,
  type Target,
  createTarget,
  fixtureTarget,
  migrateTargetTo,
  queryStore,
} from '../support/targets.js';

const PREVIOUS = CLIENT_SCHEMA_VERSION - 1;
const RECORD = [
  'record',
  '--utr',
  '1955839661',
  '--operator',
  '1234567',
  '--channel',
  'internal-enquiry',
  '--subject',
  'Letter',
  '--action',
  'Sent the statement',
];

async function appliedMigrations(target: Target): Promise<number> {
  return (await untouched(target)).migrations;
}

/** How many migrations the store has applied and how many contacts it holds, in one query (one opening of it). */
async function untouched(target: Target): Promise<{ migrations: number; contacts: number }> {
  const [row] = await queryStore<{ migrations: number; contacts: number }>(
    target,
    sql`select (select count(*)::int from drizzle.__drizzle_migrations) as migrations,
               (select count(*)::int from public.contacts) as contacts`,
  );
  return row!;
}

/** A store as the previous version of the tool left it, with a record and an operator to record against. */
async function previousVersionStore(driver: 'pglite' | 'postgres'): Promise<Target> {
  const target = await createTarget(driver, false);
  // Written as that version would write them: declaring its own version, once the store asks for one (drizzle/0006 on).
  await migrateTargetTo(target, PREVIOUS, async (tx) => {
    await tx.execute(sql`select set_config('cis_contact.schema_version', ${String(PREVIOUS)}, true)`);
    await tx.execute(sql`insert into public.cis_records (utr, name, kind) values ('1955839661', 'Acme', 'contractor')`);
    await tx.execute(
      sql`insert into public.operators (pid, name, roles) values ('1234567', 'Priya', '{CISR Processor}')`,
    );
  });
  return target;
}

describe.skipIf(!SERVER_URL)('a server store behind this client', () => {
  let target: Target;
  beforeAll(async () => {
    target = await previousVersionStore('postgres');
  });
  afterAll(() => target.dispose());

  it.each([
    ['history', ['history', '1955839661', '--all']],
    ['export', ['export', '--format', 'jsonl']],
    ['verify', ['verify']],
    ['record', RECORD],
  ])('%s leaves it alone and says to run db migrate', async (_, args) => {
    const result = await runCli(args, target.env);
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toContain(
      `is at schema version ${PREVIOUS}, older than this cis-contact (version ${CLIENT_SCHEMA_VERSION})`,
    );
    expect(result.stderr).toContain('[store-outdated]');
    expect(result.stderr).toContain('cis-contact db migrate');
    expect(result.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
    expect(await untouched(target)).toEqual({ migrations: PREVIOUS, contacts: 0 });
  });

  it('db migrate brings it forward; then it records and verifies intact', async () => {
    // A store of its own: the tests above must find theirs behind, in whatever order they run.
    const own = await previousVersionStore('postgres');
    try {
      const migrated = await runCli(['db', 'migrate', '--json'], own.env);
      expect(migrated.code, migrated.stderr).toBe(0);
      expect(migrated.json).toMatchObject({ migrated: true, applied: 1 });
      expect(await appliedMigrations(own)).toBe(CLIENT_SCHEMA_VERSION);
      expect((await runCli(RECORD, own.env)).code).toBe(0);
      const verified = await runCli(['verify', '--json'], own.env);
      expect(verified.code, verified.stderr).toBe(0);
      expect(verified.json).toMatchObject({ intact: true, checked: 1 });
    } finally {
      await own.dispose();
    }
  });
});

describe.skipIf(!SERVER_URL)('the database refuses a writer of another version', () => {
  let target: Target;
  const clients: postgres.Sql[] = [];
  /** A plain-SQL client, as an older build of the tool (which declared nothing) or another version would write. */
  const client = (declared?: string) => {
    const options = {
      max: 1,
      onnotice: () => {},
      ...(declared === undefined ? {} : { connection: { 'cis_contact.schema_version': declared } }),
    };
    const opened = postgres(target.env.DATABASE_URL!, options);
    clients.push(opened);
    return opened;
  };

  beforeAll(async () => {
    target = await previousVersionStore('postgres');
    expect((await runCli(['db', 'migrate'], target.env)).code).toBe(0);
    expect((await runCli(RECORD, target.env)).code).toBe(0);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end()));
    await target.dispose();
  });

  it("a write declaring no version is refused, naming the store's version", async () => {
    const old = client();
    await expect(old`insert into public.import_runs (file) values ('old.csv')`).rejects.toMatchObject({
      code: 'CC002',
      message: expect.stringContaining(
        `this store is at schema version ${CLIENT_SCHEMA_VERSION}, and the program writing to import_runs declared no version`,
      ),
    });
    await expect(
      old`insert into public.operators (pid, name, roles) values ('7654321', 'Old', '{CISR Processor}')`,
    ).rejects.toMatchObject({ code: 'CC002' });
    await expect(old`update public.cis_records set name = 'Renamed'`).rejects.toMatchObject({ code: 'CC002' });
  });

  it('a contact written as the previous version wrote it (its chain values right) is refused, and verify stays intact', async () => {
    for (const declared of [undefined, String(PREVIOUS)]) {
      const writer = client(declared);
      const refused = writer.begin(async (tx) => {
        const [head] = await tx<
          { seq: number; hash: string }[]
        >`select seq::int, hash from public.contacts order by seq desc limit 1`;
        await tx`insert into public.contacts (seq, source_key, content_hash, utr, channel, direction, enquiry_date, operator_pid, prev_hash, hash)
          values (${head!.seq + 1}, 'OLD-CLIENT', ${'0'.repeat(32)}, '1955839661', 'internal-enquiry', 'Outbound', '2024-01-02', '1234567', ${head!.hash}, ${'1'.repeat(64)})`;
      });
      await expect(refused).rejects.toMatchObject({ code: 'CC002' });
      if (declared) await expect(refused).rejects.toThrow(`is at version ${PREVIOUS}`);
    }
    const verified = await runCli(['verify', '--json'], target.env);
    expect(verified.code, verified.stdout).toBe(0);
    expect(verified.json).toMatchObject({ intact: true, checked: 1 });
  });

  it('a write declaring this version passes the check', async () => {
    const current = client(String(CLIENT_SCHEMA_VERSION));
    const [run] = await current<
      { id: number }[]
    >`insert into public.import_runs (file) values ('current.csv') returning id`;
    expect(run!.id).toBeGreaterThan(0);
  });
});

describe.each(DRIVERS)('a store ahead of this client (%s)', (driver) => {
  let target: Target;
  beforeAll(async () => {
    // A store of this version (with the fixtures' records and operators: `record` has what it needs) that a later
    // version of the tool then migrated: `db migrate` bringing an older store forward is tested above, an embedded
    // store upgrading itself below.
    target = await fixtureTarget(driver);
    const store = await target.open();
    try {
      await store.db.execute(
        sql`insert into drizzle.__drizzle_migrations (hash, created_at) values ('a later version', 9999999999999)`,
      );
    } finally {
      await store.close();
    }
  });
  afterAll(() => target.dispose());

  it.each([
    ['history', ['history', '1955839661', '--all']],
    ['verify', ['verify']],
    ['record', RECORD],
    ['db migrate', ['db', 'migrate']],
  ])('%s refuses it: this cis-contact is older than the store', async (_, args) => {
    const result = await runCli(args, target.env);
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toContain(
      `this cis-contact is older than the store at ${driver === 'pglite' ? target.env.CIS_CONTACT_DATA_DIR : ''}`,
    );
    expect(result.stderr).toContain(
      `(the store is at schema version ${CLIENT_SCHEMA_VERSION + 1}, this cis-contact at ${CLIENT_SCHEMA_VERSION}): upgrade it [client-outdated]`,
    );
    expect(await untouched(target)).toEqual({ migrations: CLIENT_SCHEMA_VERSION + 1, contacts: 0 });
  });
});

describe('an embedded store behind this client', () => {
  let target: Target;
  beforeAll(async () => {
    target = await previousVersionStore('pglite');
  });
  afterAll(() => target.dispose());

  it('upgrades itself on first use, even by a reading command, and then records', async () => {
    const verified = await runCli(['verify', '--json'], target.env);
    expect(verified.code, verified.stderr).toBe(0);
    expect(await appliedMigrations(target)).toBe(CLIENT_SCHEMA_VERSION);
    expect((await runCli(RECORD, target.env)).code).toBe(0);
    expect((await runCli(['verify'], target.env)).code).toBe(0);
  });
});
