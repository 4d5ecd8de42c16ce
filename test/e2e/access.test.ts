/**
 * Access and accountability: the group roles on a real PostgreSQL server with
 * real logins (created and dropped here), contacts stamped with the login
 * that wrote them, PIDs bound to logins; and on both drivers, a store made
 * before any of this verifies after it.
 */

import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENESIS_HASH, type ChainEntry, chainHash } from '../../src/domain/audit.js';
import { storedContentHash } from '../../src/domain/identity.js';
import { databaseOf, defaultRolePrefix, roleName } from '../../src/storage/roles.js';
import { rows } from '../../src/storage/database.js';
import { FIXTURES, runCli } from '../support/cli.js';
import {
  DRIVERS,
  SERVER_URL,
  type Target,
  copyOf,
  createTarget,
  fixtureStore,
  migrateTargetTo,
  queryStore,
  withUser,
  CURRENT_CLIENT,
} from '../support/targets.js';
import { scratchFolder } from '../support/scratch.js';

const RECORD = ['record', '--utr', '1955839661', '--channel', 'internal-enquiry', '--subject', 'Letter'];
const LOG_HEADER = 'utr,channel,enquiry_date,operator_pid,subject,action_taken';

describe.skipIf(!SERVER_URL)('roles and logins on a PostgreSQL server', () => {
  const suffix = `${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const login = {
    recorder: `rec_${suffix}`,
    auditor: `aud_${suffix}`,
    admin: `adm_${suffix}`,
    other: `oth_${suffix}`,
    nobody: `nob_${suffix}`,
  };
  let target: Target;
  let cwd: string;
  let server: postgres.Sql;
  const as = (who: string) => ({ DATABASE_URL: withUser(target.env.DATABASE_URL!, who) });
  /** This store's own roles: their names carry a prefix made from its database's name. */
  const role = (job: 'auditor' | 'recorder' | 'admin') =>
    roleName(defaultRolePrefix(databaseOf(target.env.DATABASE_URL!)), job);
  const log = (name: string, ...lines: string[]) => {
    const path = join(cwd, name);
    writeFileSync(path, `${[LOG_HEADER, ...lines].join('\n')}\n`);
    return path;
  };

  beforeAll(async () => {
    ({ target, cwd } = await fixtureStore('postgres', 'access'));
    server = postgres(SERVER_URL!, { max: 1, onnotice: () => {}, ...CURRENT_CLIENT });
    for (const name of Object.values(login)) await server.unsafe(`create role ${name} login`);
    const roles = await runCli(['db', 'roles'], target.env);
    expect(roles.code, roles.stderr).toBe(0);
    const database = postgres(target.env.DATABASE_URL!, { max: 1, onnotice: () => {}, ...CURRENT_CLIENT });
    await database.unsafe(`grant ${role('recorder')} to ${login.recorder}, ${login.other};
      grant ${role('auditor')} to ${login.auditor}; grant ${role('admin')} to ${login.admin}`);
    await database.end();
    // The admin binds PID 3456789 to the other recorder; the rest of the fixture's operators stay unbound.
    writeFileSync(
      join(cwd, 'bindings.csv'),
      `pid,name,roles,logins\n3456789,Pat Pursuit,CISR Pursuit Officer,${login.other}\n`,
    );
    const bound = await runCli(['operators', 'import', join(cwd, 'bindings.csv')], as(login.admin));
    expect(bound.code, bound.stderr).toBe(0);
  }, 120_000);

  afterAll(async () => {
    await target.dispose();
    for (const name of Object.values(login)) await server.unsafe(`drop role if exists ${name}`);
    await server.end();
  });

  it('db roles is idempotent, prints the GRANT lines, and leaves PUBLIC nothing: a login without a role cannot even connect', async () => {
    const again = await runCli(['db', 'roles'], target.env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`GRANT ${role('recorder')} TO`);
    const denied = await runCli(['history', '1955839661', '--all'], as(login.nobody));
    expect(denied.code).toBe(3);
    expect(denied.stderr).toContain('[permission-denied]');
    expect(denied.stderr).toContain(`permission denied for database`);
    expect(denied.stderr).toContain(`GRANT ${role('auditor')} TO`);
    // A script reading --json learns the role too.
    const deniedJson = await runCli(['--json', 'history', '1955839661', '--all'], as(login.nobody));
    expect(deniedJson.json.error).toMatchObject({
      code: 'permission-denied',
      message: expect.stringContaining(`it needs the ${role('auditor')} role`),
    });
    expect(denied.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
  });

  it('a pending migration is refused to a recorder, naming the admin role, and applied by an admin login', async () => {
    const latest = await rowsOf<{ id: number }>(
      'select id from drizzle.__drizzle_migrations order by created_at desc limit 2',
    );
    // Undo the two latest migrations (neither touches a contact, so any stored by other tests stay as they are):
    // 0009's operator periods and 0008's lock tables, which a migration creates and whose owner and grants are
    // checked below; the admin applies them.
    await execute(
      `alter table operators drop constraint operators_role_periods_list, drop column role_periods, drop column left_on`,
    );
    await execute(`drop table chain_head_lock, migration_lock`);
    await execute(`delete from drizzle.__drizzle_migrations where id in (${latest.map((m) => m.id).join(', ')})`);
    const refused = await runCli(['verify'], as(login.recorder));
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('older than this cis-contact');
    expect(refused.stderr).toContain(`a login granted ${role('admin')} runs cis-contact db migrate`);
    const migrated = await runCli(['db', 'migrate', '--json'], as(login.admin));
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(migrated.json.applied).toBe(2);
    // What the admin created belongs to the admin role, so the next admin login can change it too.
    const [owner] = await rowsOf<{ owner: string }>(
      `select pg_get_userbyid(relowner)::text as owner from pg_class where oid = 'public.chain_head_lock'::regclass`,
    );
    expect(owner!.owner).toBe(role('admin'));
    // Made by the migration, not by db roles: the chain is the recorders' to lock, not the auditors'.
    const [locks] = await rowsOf<{ recorder: boolean; auditor: boolean; migrations: boolean }>(`select
      has_table_privilege('${role('recorder')}', 'public.chain_head_lock', 'UPDATE') as recorder,
      has_table_privilege('${role('auditor')}', 'public.chain_head_lock', 'SELECT') as auditor,
      has_table_privilege('${role('recorder')}', 'public.migration_lock', 'UPDATE') as migrations`);
    expect(locks).toEqual({ recorder: true, auditor: false, migrations: false });
    expect((await runCli(['verify'], as(login.auditor))).code).toBe(0);
  });

  it('a recorder records and imports, stamped with its login, but cannot load reference data or migrate', async () => {
    // Other tests record as other logins: the contacts this one writes are those after the head it starts from.
    const [start] = await queryStore<{ head: number }>(
      target,
      sql`select coalesce(max(seq), 0)::int as head from public.contacts`,
    );
    const recorded = await runCli(
      [...RECORD, '--action', 'by the recorder', '--operator', '1234567', '--json'],
      as(login.recorder),
    );
    expect(recorded.code, recorded.stderr).toBe(0);
    const imported = await runCli(
      ['import', log('recorder.csv', '1955839661,internal-enquiry,2024-01-02,1234567,Letter,imported'), '--json'],
      as(login.recorder),
      { cwd },
    );
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.json.contactsWritten).toBe(1);
    const stamped = await queryStore<{ recorded_by: string }>(
      target,
      sql`select recorded_by from public.contacts where seq > ${start!.head} order by seq`,
    );
    expect(stamped).toEqual([{ recorded_by: login.recorder }, { recorded_by: login.recorder }]);

    for (const args of [
      ['registry', 'import', `${FIXTURES}registry.csv`],
      ['operators', 'import', `${FIXTURES}operators.csv`],
    ]) {
      const refused = await runCli(args, as(login.recorder), { cwd });
      expect(refused.code, args.join(' ')).toBe(3);
      expect(refused.stderr).toContain('[permission-denied]');
      expect(refused.stderr).toContain(role('admin'));
    }
    // Nothing pending: the start-up check needs no right to change the schema.
    expect((await runCli(['db', 'migrate'], as(login.recorder))).code).toBe(0);
  });

  it('an auditor reads history, exports and verifies, and can write nothing, by the tool or by SQL', async () => {
    for (const args of [['history', '1955839661', '--all'], ['export', '--format', 'jsonl'], ['verify']]) {
      const read = await runCli(args, as(login.auditor));
      expect(read.code, `${args.join(' ')}: ${read.stderr}`).toBe(0);
    }
    for (const args of [
      [...RECORD, '--action', 'by the auditor', '--operator', '1234567'],
      ['import', log('auditor.csv', '1955839661,internal-enquiry,2024-01-03,1234567,Letter,no')],
    ]) {
      const refused = await runCli(args, as(login.auditor), { cwd });
      expect(refused.code, args[0]).toBe(3);
      expect(refused.stderr).toContain(`GRANT ${role('recorder')} TO`);
    }
    const client = postgres(withUser(target.env.DATABASE_URL!, login.auditor), {
      max: 1,
      onnotice: () => {},
      ...CURRENT_CLIENT,
    });
    try {
      await expect(
        client.unsafe(`insert into public.operators (pid, name, roles) values ('7777777', 'X', '{CISR Processor}')`),
      ).rejects.toThrow(/permission denied/);
      await expect(client.unsafe(`insert into public.import_runs (file) values ('x')`)).rejects.toThrow(
        /permission denied/,
      );
    } finally {
      await client.end();
    }
  });

  it('a PID bound to another login is refused to a recorder by record, import and direct SQL; its own login records under it', async () => {
    const recorded = await runCli(
      [...RECORD, '--action', 'not mine', '--operator', '3456789', '--json'],
      as(login.recorder),
    );
    expect(recorded.code).toBe(1);
    expect(recorded.json.errors.map((e: { code: string }) => e.code)).toEqual(['operator-not-yours']);
    expect(recorded.json.errors[0].message).toContain('operator PID 3456789 is bound to other database logins');

    const imported = await runCli(
      ['import', log('bound.csv', '1955839661,internal-enquiry,2024-01-04,3456789,Letter,not mine'), '--json'],
      as(login.recorder),
      { cwd },
    );
    expect(imported.code).toBe(1);
    expect(imported.json.rejectsByCode).toEqual({ 'operator-not-yours': 1 });

    const script = `--utr 1955839661 --channel internal-enquiry --subject Letter --action "not mine" --operator 3456789\n`;
    const ran = await runCli(['run', '-', '--json'], as(login.recorder), { input: script });
    expect(ran.code).toBe(1);
    expect(ran.json.results[0].errors.map((e: { code: string }) => e.code)).toEqual(['operator-not-yours']);

    const before = await queryStore<{ n: number }>(target, sql`select count(*)::int as n from public.contacts`);
    const client = postgres(withUser(target.env.DATABASE_URL!, login.recorder), {
      max: 1,
      onnotice: () => {},
      ...CURRENT_CLIENT,
    });
    try {
      const [head] = await client.unsafe(`select max(seq)::int as seq from public.contacts`);
      await expect(
        client.unsafe(`insert into public.contacts (seq, source_key, content_hash, utr, channel, direction, enquiry_date, operator_pid, prev_hash, hash)
        values (${head!.seq + 1}, 'by-sql', repeat('a', 32), '1955839661', 'internal-enquiry', 'Outbound', '2024-01-05', '3456789', repeat('0', 64), repeat('0', 64))`),
      ).rejects.toThrow(/operator PID 3456789 is bound to other database logins/);
      // Nor may a recorder put another login's name on a contact.
      await expect(
        client.unsafe(`insert into public.contacts (seq, source_key, content_hash, utr, channel, direction, enquiry_date, operator_pid, prev_hash, hash, recorded_by)
        values (${head!.seq + 1}, 'by-sql', repeat('a', 32), '1955839661', 'internal-enquiry', 'Outbound', '2024-01-05', '1234567', repeat('0', 64), repeat('0', 64), '${login.other}')`),
      ).rejects.toThrow(/must be recorded by the login that writes it/);
    } finally {
      await client.end();
    }
    expect(await queryStore<{ n: number }>(target, sql`select count(*)::int as n from public.contacts`)).toEqual(
      before,
    );

    const own = await runCli([...RECORD, '--action', 'mine', '--operator', '3456789', '--json'], as(login.other));
    expect(own.code, own.stderr).toBe(0);
  });

  it('recorded_by is in both exports and in the chain: verify fails when it is changed behind the triggers', async () => {
    // A contact of its own by each recording login, whatever the other tests recorded before it.
    const recordAs = async (who: string, pid: string): Promise<number> => {
      const recorded = await runCli(
        [...RECORD, '--action', `exported by ${who}`, '--operator', pid, '--json'],
        as(who),
      );
      expect(recorded.code, recorded.stderr).toBe(0);
      return recorded.json.contacts[0].id;
    };
    const byRecorder = await recordAs(login.recorder, '1234567');
    const byOther = await recordAs(login.other, '3456789');
    const jsonl = await runCli(['export', '--format', 'jsonl'], as(login.auditor));
    const entries = jsonl.stdout
      .trim()
      .split('\n')
      .slice(0, -1)
      .map((l) => JSON.parse(l));
    expect(new Set(entries.map((e) => e.recordedBy))).toEqual(new Set([login.recorder, login.other]));
    expect(entries.filter((e) => e.seq === byRecorder || e.seq === byOther).map((e) => e.recordedBy)).toEqual([
      login.recorder,
      login.other,
    ]);
    const csv = await runCli(['export', '--out', join(cwd, 'all.csv')], as(login.auditor), { cwd });
    expect(csv.code, csv.stderr).toBe(0);
    const [header, ...lines] = readFileSync(join(cwd, 'all.csv'), 'utf8')
      .replace(/^\ufeff/, '')
      .trimEnd()
      .split(/\r?\n/);
    const columns = header!.split(',');
    expect(columns.at(-1)).toBe('recorded_by');
    // Every row's last column is the writer the JSONL export gives its contact (this test's two: their own logins).
    const csvWriters = new Map(
      lines.map((l) => l.split(',')).map((c) => [Number(c[columns.indexOf('seq')]), c.at(-1)]),
    );
    expect(csvWriters).toEqual(new Map(entries.map((e) => [e.seq, e.recordedBy])));
    expect([byRecorder, byOther].map((seq) => csvWriters.get(seq))).toEqual([login.recorder, login.other]);
    expect((await runCli(['verify', '--export', join(cwd, 'all.csv')], as(login.auditor))).code).toBe(0);

    // Put back afterwards: the other tests verify this store and must find it intact.
    const setWriter = (who: string) =>
      execute(`alter table public.contacts disable trigger contacts_refuse_update_delete;
      update public.contacts set recorded_by = '${who}' where seq = ${byRecorder};
      alter table public.contacts enable always trigger contacts_refuse_update_delete`);
    await setWriter(login.other);
    try {
      const verified = await runCli(['verify', '--json'], as(login.auditor));
      expect(verified.code).toBe(1);
      expect(verified.json.failure.seq).toBe(byRecorder);
    } finally {
      await setWriter(login.recorder);
    }
  });

  async function execute(statements: string): Promise<void> {
    const database = postgres(target.env.DATABASE_URL!, { max: 1, onnotice: () => {}, ...CURRENT_CLIENT });
    try {
      await database.unsafe(statements);
    } finally {
      await database.end();
    }
  }

  async function rowsOf<T>(query: string): Promise<T[]> {
    const database = postgres(target.env.DATABASE_URL!, { max: 1, onnotice: () => {}, ...CURRENT_CLIENT });
    try {
      return (await database.unsafe(query)) as unknown as T[];
    } finally {
      await database.end();
    }
  }
});

describe('access on the embedded store, which has one user and no logins', () => {
  let target: Target;
  let cwd: string;
  beforeAll(async () => {
    ({ target, cwd } = await fixtureStore('pglite', 'embedded-access'));
  });
  afterAll(() => target.dispose());

  it('db roles says roles are for a server; bindings are kept but do not hold its superuser; contacts are recorded by postgres', async () => {
    const roles = await runCli(['db', 'roles', '--json'], target.env);
    expect(roles.code, roles.stderr).toBe(0);
    expect(roles.json).toMatchObject({ roles: false, driver: 'pglite' });
    writeFileSync(join(cwd, 'bindings.csv'), 'pid,name,roles,logins\n3456789,Pat Pursuit,CISR Pursuit Officer,alice\n');
    expect((await runCli(['operators', 'import', join(cwd, 'bindings.csv')], target.env)).code).toBe(0);
    const [bound] = await queryStore<{ logins: string[] }>(
      target,
      sql`select logins from public.operators where pid = '3456789'`,
    );
    expect(bound!.logins).toEqual(['alice']);
    const recorded = await runCli(
      [...RECORD, '--action', 'on the embedded store', '--operator', '3456789', '--json'],
      target.env,
    );
    expect(recorded.code, recorded.stderr).toBe(0);
    const [stamped] = await queryStore<{ recorded_by: string }>(target, sql`select recorded_by from public.contacts`);
    expect(stamped!.recorded_by).toBe('postgres');
    // An operators file without the column leaves the binding as it was.
    expect(
      (await runCli(['operators', 'import', `${FIXTURES}operators.csv`, '--rejects', join(cwd, 'r.csv')], target.env))
        .code,
    ).toBe(1);
    const [kept] = await queryStore<{ logins: string[] }>(
      target,
      sql`select logins from public.operators where pid = '3456789'`,
    );
    expect(kept!.logins).toEqual(['alice']);
  });
});

describe.each(DRIVERS)('a store made before contacts kept their writer (%s)', (driver) => {
  let target: Target;
  let cwd: string;

  beforeAll(async () => {
    target = await createTarget(driver, false);
    cwd = scratchFolder('cis-contact-older-');
    // The schema as it was: every migration before the one that added recorded_by and logins.
    await migrateTargetTo(target, 4);
    const store = await target.open();
    try {
      // Written as that version wrote, with public on its search path: its triggers' functions did not pin theirs.
      await store.db.transaction(async (tx) => {
        await tx.execute(sql`select pg_catalog.set_config('search_path', 'public, pg_temp', true)`);
        await tx.execute(
          sql`insert into public.cis_records (utr, name, kind) values ('1955839661', 'Acme', 'contractor')`,
        );
        await tx.execute(
          sql`insert into public.operators (pid, name, roles) values ('1234567', 'Priya', '{CISR Processor}')`,
        );
        // A contact chained as the tool then chained it: no recordedBy in its canonical form.
        const entry: ChainEntry = {
          seq: 1,
          sourceKey: 'OLD-1',
          utr: '1955839661',
          partnershipUtr: null,
          contactType: null,
          contactName: null,
          channel: 'internal-enquiry',
          direction: 'Outbound',
          authentication: null,
          enquiryDate: '2024-01-02',
          operatorPid: '1234567',
          importRunId: null,
          recordedAt: '2025-06-01T09:00:00.000000Z',
          recordedBy: null,
          enquiries: [{ position: 1, subject: 'Letter', actionTaken: 'Sent', generalNotes: null }],
        };
        const hash = chainHash(GENESIS_HASH, entry);
        await tx.execute(sql`insert into public.contacts (seq, source_key, content_hash, utr, channel, direction, enquiry_date, operator_pid, recorded_at, prev_hash, hash)
          values (1, 'OLD-1', ${storedContentHash(entry, entry)}, '1955839661', 'internal-enquiry', 'Outbound', '2024-01-02', '1234567', '2025-06-01T09:00:00Z', ${GENESIS_HASH}, ${hash})`);
        await tx.execute(
          sql`insert into public.enquiries (contact_seq, position, subject, action_taken) values (1, 1, 'Letter', 'Sent')`,
        );
      });
      const [columns] = await rows<{ n: number }>(
        store.db,
        sql`select count(*)::int as n from information_schema.columns where table_name = 'contacts' and column_name = 'recorded_by'`,
      );
      expect(columns!.n).toBe(0);
    } finally {
      await store.close();
    }
    // An embedded store upgrades itself on first use; a server's store only by its administrator's db migrate.
    if (driver === 'postgres') expect((await runCli(['db', 'migrate'], target.env)).code).toBe(0);
  }, 120_000);

  afterAll(() => target.dispose());

  it('a CSV export made before recorded_by was exported (its columns one fewer) still verifies; a CSV of other columns is refused', async () => {
    const full = join(cwd, `before-${driver}.csv`);
    expect((await runCli(['export', '--out', full], target.env)).code).toBe(0);
    const [header, ...lines] = readFileSync(full, 'utf8').trimEnd().split('\n');
    expect(header!.endsWith(',recorded_by')).toBe(true);
    // The older export: the same rows without their last column (empty: this entry has no writer).
    const older = join(cwd, `older-${driver}.csv`);
    writeFileSync(older, `${[header!, ...lines].map((l) => l.replace(/,[^,]*$/, '')).join('\n')}\n`);
    writeFileSync(`${older}.manifest.json`, readFileSync(`${full}.manifest.json`));
    const verified = await runCli(['verify', '--export', older], target.env);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    // Columns in another order are no export of this tool's, whatever their names.
    const shuffled = join(cwd, `shuffled-${driver}.csv`);
    const swap = (l: string) => {
      const cells = l.split(',');
      [cells[1], cells[2]] = [cells[2]!, cells[1]!];
      return cells.join(',');
    };
    writeFileSync(shuffled, `${[header!, ...lines].map(swap).join('\n')}\n`);
    writeFileSync(`${shuffled}.manifest.json`, readFileSync(`${full}.manifest.json`));
    const refused = await runCli(['verify', '--export', shuffled], target.env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/it is not a cis-contact CSV export \[file-unreadable\]/);
  });

  it('verifies after the upgrade, chains new contacts with their writer after it, and the recipe verifies the whole export', async () => {
    // A copy to write in: the other test's export must find only the contact stored before the upgrade.
    const own = await copyOf(target);
    try {
      const verified = await runCli(['verify', '--json'], own.env);
      expect(verified.code, verified.stdout + verified.stderr).toBe(0);
      expect(verified.json.checked).toBe(1);

      const recorded = await runCli([...RECORD, '--action', 'after the upgrade', '--operator', '1234567'], own.env);
      expect(recorded.code, recorded.stderr).toBe(0);
      expect((await runCli(['verify'], own.env)).code).toBe(0);

      const out = join(cwd, `history-${driver}.jsonl`);
      expect((await runCli(['export', '--format', 'jsonl', '--out', out], own.env)).code).toBe(0);
      const [older, newer] = readFileSync(out, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect('recordedBy' in older).toBe(false);
      expect(newer.recordedBy).toBe('postgres');
      expect((await runCli(['verify', '--export', out], own.env)).code).toBe(0);

      const recipe = /```python\n([\s\S]*?)```/.exec(
        readFileSync(new URL('../../docs/audit.md', import.meta.url), 'utf8'),
      )![1]!;
      writeFileSync(join(cwd, 'verify.py'), recipe);
      const python = spawnSync('python3', ['verify.py', out], { cwd, encoding: 'utf8' });
      expect(python.stdout, python.stderr).toMatch(/^intact 2 /);
    } finally {
      await own.dispose();
    }
  });
});
