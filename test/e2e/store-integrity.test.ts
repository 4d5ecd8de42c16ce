/**
 * The store keeps its promises against every login, tried the way a DBA, a
 * recorder or a second recorder would: plain SQL over the tool's own
 * connection string, with real logins made and dropped here, on a server set
 * up by `db roles` and the GRANT lines it prints. Each attack is refused by
 * the database, or, where the docs say a role can do it, reported by
 * `verify` or by `verify --checkpoint`.
 */

import { chmodSync, chownSync, lstatSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChainEntry, GENESIS_HASH, chainHash } from '../../src/domain/audit.js';
import { storedContentHash } from '../../src/domain/identity.js';
import { LEGACY_PREFIX, databaseOf, defaultRolePrefix, roleName } from '../../src/storage/roles.js';
import { runCli } from '../support/cli.js';
import { SERVER_URL, type Target, createTarget, fixtureStore, withUser, CURRENT_CLIENT } from '../support/targets.js';
import { scratchFolder } from '../support/scratch.js';

const LOG_HEADER = 'utr,channel,enquiry_date,operator_pid,subject,action_taken';
const BOUND_PID = '3456789';

type Job = 'auditor' | 'recorder' | 'admin';

describe.skipIf(!SERVER_URL)('the store against its own logins, by plain SQL (PostgreSQL server)', () => {
  const suffix = `${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const login = { rec: `rec_${suffix}`, rec2: `rectwo_${suffix}`, admin: `adm_${suffix}`, other: `oth_${suffix}` };
  const shadow = `shadow_${suffix}`;
  let target: Target;
  let cwd: string;
  let server: postgres.Sql;
  const clients: postgres.Sql[] = [];
  const role = (job: Job) => roleName(defaultRolePrefix(databaseOf(target.env.DATABASE_URL!)), job);
  const as = (who: string) => ({ DATABASE_URL: withUser(target.env.DATABASE_URL!, who) });
  /** A connection as `who`, as psql would open it with the same connection string. */
  const sqlAs = (who: string) => {
    const client = postgres(withUser(target.env.DATABASE_URL!, who), { max: 1, onnotice: () => {}, ...CURRENT_CLIENT });
    clients.push(client);
    return client;
  };
  /** The store's own superuser connection (the DBA's). */
  const dba = () => sqlAs(new URL(target.env.DATABASE_URL!).username || 'postgres');

  const importRows = async (who: string, name: string, rows: number, from = 0) => {
    const lines = Array.from(
      { length: rows },
      (_, i) =>
        `1955839661,internal-enquiry,2024-02-${String((i % 27) + 1).padStart(2, '0')},1234567,Letter,${name} row ${from + i}`,
    );
    writeFileSync(join(cwd, `${name}.csv`), `${[LOG_HEADER, ...lines].join('\n')}\n`);
    const r = await runCli(['import', join(cwd, `${name}.csv`), '--json'], as(who), { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.contactsWritten).toBe(rows);
  };

  /** The chain's head as a writer sees it. */
  const headOf = async (client: postgres.Sql) => {
    const [head] = await client<
      { seq: number; hash: string }[]
    >`select seq::int as seq, hash from public.contacts order by seq desc limit 1`;
    return head ?? { seq: 0, hash: GENESIS_HASH };
  };

  /**
   * Inserts a contact by SQL, chained as the tool would chain it: the next
   * seq, the head's hash as prev_hash, and (unless `hash` is given) the
   * right hash for the transaction's time and the writing login.
   */
  const forge = async (
    client: postgres.Sql,
    who: string,
    fields: { utr?: string; pid?: string; recordedAt?: string; hash?: string; contentHash?: string; prepare?: string },
  ) => {
    return client.begin(async (tx) => {
      if (fields.prepare) await tx.unsafe(fields.prepare);
      const head = await headOf(tx as unknown as postgres.Sql);
      const [{ now }] = await tx<
        [{ now: string }]
      >`select to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as now`;
      const entry: ChainEntry = {
        seq: head.seq + 1,
        sourceKey: `forged-${head.seq + 1}`,
        utr: fields.utr ?? '1955839661',
        partnershipUtr: null,
        contactType: null,
        contactName: null,
        channel: 'internal-enquiry',
        direction: 'Outbound',
        authentication: null,
        enquiryDate: '2024-03-01',
        operatorPid: fields.pid ?? '1234567',
        importRunId: null,
        recordedAt: fields.recordedAt ?? now,
        recordedBy: who,
        enquiries: [{ position: 1, subject: 'Letter', actionTaken: 'forged', generalNotes: null }],
      };
      const hash = fields.hash ?? chainHash(head.hash, entry);
      const recordedAt = fields.recordedAt ? tx`${fields.recordedAt}::timestamptz` : tx`default`;
      await tx`insert into public.contacts (seq, source_key, content_hash, utr, channel, direction, enquiry_date, operator_pid, recorded_at, prev_hash, hash)
        values (${entry.seq}, ${entry.sourceKey}, ${fields.contentHash ?? storedContentHash(entry, entry)}, ${entry.utr}, 'internal-enquiry', 'Outbound', '2024-03-01', ${entry.operatorPid},
                ${recordedAt}, ${head.hash}, ${hash})`;
      await tx`insert into public.enquiries (contact_seq, position, subject, action_taken) values (${entry.seq}, 1, 'Letter', 'forged')`;
      return entry.seq;
    });
  };

  const verifyJson = async (...args: string[]) => {
    const r = await runCli(['--json', 'verify', ...args], as(login.rec), { cwd });
    return { code: r.code, report: r.json, stderr: r.stderr };
  };

  beforeAll(async () => {
    ({ target, cwd } = await fixtureStore('postgres', 'integrity'));
    server = postgres(SERVER_URL!, { max: 1, onnotice: () => {}, ...CURRENT_CLIENT });
    for (const name of Object.values(login)) await server.unsafe(`create role ${name} login`);
    const roles = await runCli(['db', 'roles'], target.env);
    expect(roles.code, roles.stderr).toBe(0);
    const db = dba();
    await db.unsafe(
      `grant ${role('recorder')} to ${login.rec}, ${login.rec2}, ${login.other}; grant ${role('admin')} to ${login.admin}`,
    );
    writeFileSync(
      join(cwd, 'bindings.csv'),
      `pid,name,roles,logins\n${BOUND_PID},Pat Pursuit,CISR Pursuit Officer,${login.other}\n`,
    );
    expect((await runCli(['operators', 'import', join(cwd, 'bindings.csv')], as(login.admin))).code).toBe(0);
    await importRows(login.rec, 'first', 30);
  }, 180_000);

  afterAll(async () => {
    for (const client of clients) await client.end();
    await target.dispose();
    await server.unsafe(`drop schema if exists ${shadow} cascade`);
    for (const name of Object.values(login)) await server.unsafe(`drop role if exists ${name}`);
    await server.end();
  });

  it('db roles leaves PUBLIC neither CONNECT nor TEMPORARY on the database', async () => {
    const [acl] = await dba()<{ public: number; auditor: boolean }[]>`
      select (select count(*)::int from pg_database d, aclexplode(d.datacl) a where d.datname = current_database() and a.grantee = 0) as public,
             has_database_privilege(${role('auditor')}, current_database(), 'CONNECT') as auditor`;
    expect(acl).toEqual({ public: 0, auditor: true });
    await expect(sqlAs(login.rec).unsafe('create temp table scratch (x int)')).rejects.toThrow(
      /permission denied to create temporary tables/,
    );
  });

  describe('with TEMPORARY granted back (a DBA may, and stores set up before db roles revoked it had it)', () => {
    beforeAll(async () => {
      await dba().unsafe(`grant temporary on database "${databaseOf(target.env.DATABASE_URL!)}" to ${login.rec}`);
    });
    afterAll(async () => {
      await dba().unsafe(`revoke temporary on database "${databaseOf(target.env.DATABASE_URL!)}" from ${login.rec}`);
    });

    it("temporary tables named pg_roles, operators and cis_records cannot stand in for the store's", async () => {
      const rec = sqlAs(login.rec);
      const shadows = `set search_path = pg_temp, pg_catalog, public;
        create temp table if not exists pg_roles as select rolname, true as rolsuper from pg_catalog.pg_roles where rolname = session_user;
        create temp table if not exists operators (pid char(7), logins text[]);
        create temp table if not exists cis_records (utr char(10));
        insert into pg_temp.operators values ('9999999', '{}');
        insert into pg_temp.cis_records values ('0000000000');`;
      // Passing as a superuser, or finding the PID unbound, would let this through.
      await expect(forge(rec, login.rec, { pid: BOUND_PID, prepare: shadows })).rejects.toThrow(
        /operator PID 3456789 is bound to other database logins/,
      );
      // Finding the record and the operator in the temporary tables would store a contact for nobody, for ever.
      await expect(forge(rec, login.rec, { utr: '0000000000', pid: '9999999', prepare: shadows })).rejects.toThrow(
        /not in the registry/,
      );
      const [{ n }] = await dba()<
        [{ n: number }]
      >`select count(*)::int as n from public.contacts where utr = '0000000000' or operator_pid = ${BOUND_PID}`;
      expect(n).toBe(0);
    });
  });

  it('a function of the same name earlier on the search path cannot stand in for the one a check calls', async () => {
    const db = dba();
    await db.unsafe(`create schema ${shadow};
      create function ${shadow}.cardinality(anyarray) returns integer language sql as 'select 0';
      create function ${shadow}.now() returns timestamptz language sql as $$ select timestamptz '2020-01-01 09:00:00+00' $$;
      grant usage on schema ${shadow} to public`);
    const rec = sqlAs(login.rec);
    const path = `set local search_path = ${shadow}, pg_catalog, public`;
    await expect(forge(rec, login.rec, { pid: BOUND_PID, prepare: path })).rejects.toThrow(
      /bound to other database logins/,
    );
    await expect(forge(rec, login.rec, { recordedAt: '2025-01-01T09:00:00Z', prepare: path })).rejects.toThrow(
      /must be recorded at the time it is stored/,
    );
  });

  it("recorded_at is the transaction's time: a back-dated contact is refused, however well chained", async () => {
    await expect(forge(sqlAs(login.rec), login.rec, { recordedAt: '2025-01-01T09:00:00Z' })).rejects.toThrow(
      /must be recorded at the time it is stored/,
    );
  });

  it('a contact must take the next seq and link to the head: anything else is refused', async () => {
    const rec = sqlAs(login.rec);
    const head = await headOf(rec);
    const insert = (
      seq: number,
      prevHash: string,
    ) => rec`insert into public.contacts (seq, source_key, content_hash, utr, channel, direction, enquiry_date, operator_pid, prev_hash, hash)
      values (${seq}, ${`gap-${seq}`}, ${'a'.repeat(32)}, '1955839661', 'internal-enquiry', 'Outbound', '2024-03-01', '1234567', ${prevHash}, ${'0'.repeat(64)})`;
    await expect(insert(head.seq + 2, head.hash)).rejects.toThrow(/do not follow the chain's head/);
    await expect(insert(head.seq + 1, GENESIS_HASH)).rejects.toThrow(/prev_hash is not the hash of the chain's head/);
  });

  it("an enquiry cannot be added to an older contact, even the writer's own", async () => {
    for (const who of [login.rec2, login.rec]) {
      await expect(
        sqlAs(who)`insert into public.enquiries values (1, 2, 'Other', 'Extra action added later', null)`,
      ).rejects.toThrow(/an enquiry may be added to contact 1 only in the transaction that records it/);
    }
  });

  it('an import run is stamped with its login, and only that login may finish it, once', async () => {
    const rec = sqlAs(login.rec);
    const [run] = await rec<
      { id: number; recorded_by: string }[]
    >`insert into public.import_runs (file, recorded_by) values ('claimed.csv', ${login.other}) returning id, recorded_by`;
    expect(run!.recorded_by).toBe(login.rec);
    const [earlier] = await rec<
      { id: number }[]
    >`select id from public.import_runs where file like '%first.csv' limit 1`;
    for (const id of [run!.id, earlier!.id]) {
      await expect(
        sqlAs(
          login.rec2,
        )`update public.import_runs set summary = '{"rowsAccepted":0}', finished_at = null where id = ${id}`,
      ).rejects.toThrow(/only that login may finish it/);
    }
    await rec`update public.import_runs set finished_at = now(), summary = '{}' where id = ${run!.id}`;
    await expect(
      rec`update public.import_runs set summary = '{"rowsAccepted":0}' where id = ${run!.id}`,
    ).rejects.toThrow(/may only be finished, once/);
    await expect(
      rec`update public.import_runs set summary = '{"rowsAccepted":0}', finished_at = null where id = ${earlier!.id}`,
    ).rejects.toThrow(/may only be finished, once/);
  });

  it('a contact chained by hand, as the tool would, is accepted; a wrong hash is accepted too, and verify names it and its writer', async () => {
    const rec2 = sqlAs(login.rec2);
    // Other tests leave bad entries of their own: what this one adds is judged against what verify found before it.
    const before = (await verifyJson()).report;
    const good = await forge(rec2, login.rec2, {});
    const clean = await verifyJson();
    expect(clean.report).toMatchObject({
      intact: before.intact,
      checked: before.checked + 1,
      lastSeq: good,
      failureCount: before.failureCount,
      failures: before.failures,
    });
    const seq = await forge(rec2, login.rec2, { hash: 'f'.repeat(64) });
    const { code, report } = await verifyJson();
    expect(code).toBe(1);
    const bad = expect.objectContaining({ seq, kind: 'altered', recordedBy: login.rec2 });
    expect(report).toMatchObject({ failureCount: before.failureCount + 1, failures: [...before.failures, bad] });
    // Everything after it still links to what it says its hash is: recording goes on, and only that entry is reported.
    await importRows(login.rec, 'after-bad', 3, 100);
    expect((await verifyJson()).report).toMatchObject({
      checked: before.checked + 5,
      failureCount: before.failureCount + 1,
      failures: [...before.failures, bad],
    });
  });

  it("a content hash that is not the content's (a later import would misjudge it) is accepted, and verify names it and its writer", async () => {
    const before = (await verifyJson()).report.failureCount;
    const seq = await forge(sqlAs(login.rec2), login.rec2, { contentHash: '0'.repeat(32) });
    const { report } = await verifyJson();
    expect(report.failureCount).toBe(before + 1);
    expect(report.failures.at(-1)).toMatchObject({
      seq,
      kind: 'altered',
      recordedBy: login.rec2,
      reason: expect.stringContaining('its content hash is not the one its content gives'),
    });
  });

  it('three bad entries far apart are all named, each with its writer, and verify goes on past each', async () => {
    const before = (await verifyJson()).report;
    await importRows(login.rec2, 'second', 10, 200);
    const db = dba();
    await db.unsafe(`alter table public.contacts disable trigger contacts_refuse_update_delete;
      update public.contacts set contact_name = 'Someone Else' where seq in (3, 15);
      update public.contacts set operator_pid = '2345678' where seq = (select max(seq) - 2 from public.contacts);
      alter table public.contacts enable always trigger contacts_refuse_update_delete`);
    const [{ last }] = await db<[{ last: number }]>`select max(seq)::int - 2 as last from public.contacts`;
    const { code, report } = await verifyJson();
    expect(code).toBe(1);
    const altered = report.failures.filter(
      (f: { kind: string; reason: string }) => f.kind === 'altered' && f.reason.includes('does not match its hash'),
    );
    const earlier = before.failures
      .filter((f: { reason: string }) => f.reason.includes('does not match its hash'))
      .map((f: { seq: number }) => f.seq);
    expect(altered.map((f: { seq: number }) => f.seq)).toEqual([...earlier, 3, 15, last].sort((a, b) => a - b));
    expect(altered.find((f: { seq: number }) => f.seq === 3).recordedBy).toBe(login.rec);
    expect(altered.find((f: { seq: number }) => f.seq === last).recordedBy).toBe(login.rec2);
    expect(report.checked).toBe(last + 2);
    const human = await runCli(['verify'], as(login.rec), { cwd });
    expect(human.stdout).toMatch(new RegExp(`entry 15 \\[altered, recorded by ${login.rec}\\]`));
    expect(human.stdout).toMatch(new RegExp(`entry ${last} \\[altered, recorded by ${login.rec2}\\]`));
  });
});

describe.skipIf(!SERVER_URL)(
  'the owner can rewrite and re-chain the history; a checkpoint kept outside the store shows it (PostgreSQL server)',
  () => {
    const suffix = `${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    const admin = `owner_${suffix}`;
    let target: Target;
    let cwd: string;
    let server: postgres.Sql;

    beforeAll(async () => {
      ({ target, cwd } = await fixtureStore('postgres', 'rewrite'));
      server = postgres(SERVER_URL!, { max: 1, onnotice: () => {}, ...CURRENT_CLIENT });
      await server.unsafe(`create role ${admin} login`);
      expect((await runCli(['db', 'roles'], target.env)).code).toBe(0);
      const db = postgres(target.env.DATABASE_URL!, { max: 1, onnotice: () => {}, ...CURRENT_CLIENT });
      await db.unsafe(
        `grant ${roleName(defaultRolePrefix(databaseOf(target.env.DATABASE_URL!)), 'admin')} to ${admin}`,
      );
      await db.end();
      const lines = Array.from(
        { length: 12 },
        (_, i) => `1955839661,internal-enquiry,2024-02-${String(i + 1).padStart(2, '0')},1234567,Letter,row ${i}`,
      );
      writeFileSync(join(cwd, 'log.csv'), `${[LOG_HEADER, ...lines].join('\n')}\n`);
      expect((await runCli(['import', join(cwd, 'log.csv')], target.env, { cwd })).code).toBe(0);
    }, 120_000);

    afterAll(async () => {
      await target.dispose();
      await server.unsafe(`drop role if exists ${admin}`);
      await server.end();
    });

    it('the admin switches the triggers off, changes entry 5 and recomputes the chain: verify cannot tell, a checkpoint can', async () => {
      const owner = { DATABASE_URL: withUser(target.env.DATABASE_URL!, admin) };
      // The auditor's checkpoint and export, kept somewhere the store's owner cannot reach.
      const taken = await runCli(['verify'], target.env, { cwd });
      expect(taken.code).toBe(0);
      const checkpointLine = taken.stdout.trim().split('\n').at(-1)!;
      expect(JSON.parse(checkpointLine).checkpoint).toMatchObject({
        seq: 12,
        headHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      writeFileSync(join(cwd, 'checkpoints.txt'), `${taken.stdout}`);
      expect(
        (await runCli(['export', '--format', 'jsonl', '--out', join(cwd, 'kept.jsonl')], target.env, { cwd })).code,
      ).toBe(0);
      expect((await runCli(['verify', '--checkpoint', join(cwd, 'checkpoints.txt')], target.env, { cwd })).code).toBe(
        0,
      );

      const client = postgres(owner.DATABASE_URL, { max: 1, onnotice: () => {}, ...CURRENT_CLIENT });
      try {
        await client.unsafe(`alter table public.enquiries disable trigger enquiries_refuse_update_delete;
        update public.enquiries set action_taken = 'changed by admin' where contact_seq = 5;
        alter table public.enquiries enable always trigger enquiries_refuse_update_delete`);
        // Re-chain from entry 5 on, exactly as the tool chains, with entry 5's content hash made anew: the store alone now looks intact.
        const exported = await runCli(['export', '--format', 'jsonl'], owner, { cwd });
        const entries = exported.stdout
          .trim()
          .split('\n')
          .slice(0, -1)
          .map((l) => JSON.parse(l));
        let prev = entries[3].hash as string;
        await client.unsafe('alter table public.contacts disable trigger contacts_refuse_update_delete');
        for (const e of entries.slice(4)) {
          const hash = chainHash(prev, e);
          await client`update public.contacts set prev_hash = ${prev}, hash = ${hash}, content_hash = ${storedContentHash(e, e)} where seq = ${e.seq}`;
          prev = hash;
        }
        await client.unsafe('alter table public.contacts enable always trigger contacts_refuse_update_delete');
      } finally {
        await client.end();
      }
      const fooled = await runCli(['--json', 'verify'], target.env, { cwd });
      expect(fooled.json).toMatchObject({ intact: true, checked: 12 });

      const byLine = await runCli(['--json', 'verify', '--checkpoint', join(cwd, 'checkpoints.txt')], target.env, {
        cwd,
      });
      expect(byLine.code).toBe(1);
      expect(byLine.json.failures).toEqual([expect.objectContaining({ seq: 12, kind: 'rewritten' })]);
      // The export pins every entry's hash: the first one rewritten is named.
      const byExport = await runCli(['--json', 'verify', '--checkpoint', join(cwd, 'kept.jsonl')], target.env, { cwd });
      expect(byExport.code).toBe(1);
      expect(byExport.json.failures).toEqual([
        expect.objectContaining({
          seq: 5,
          kind: 'rewritten',
          reason: expect.stringContaining('entry 4 still matches'),
        }),
      ]);
      const human = await runCli(['verify', '--checkpoint', join(cwd, 'kept.jsonl')], target.env, { cwd });
      // The entry's writer is named as its writer, not as whoever rewrote it, whom the store cannot name.
      expect(human.stdout).toMatch(
        /entry 5 \[rewritten\]: entry 5 \(\S+\), recorded by \w+, was rewritten after the checkpoint; the store cannot say by whom\. Checkpoint .*kept\.jsonl:5 recorded/,
      );
      // The same for an export taken after the rewrite.
      expect(
        (await runCli(['export', '--format', 'jsonl', '--out', join(cwd, 'later.jsonl')], target.env, { cwd })).code,
      ).toBe(0);
      const exportChecked = await runCli(
        ['--json', 'verify', '--export', join(cwd, 'later.jsonl'), '--checkpoint', join(cwd, 'checkpoints.txt')],
        target.env,
        { cwd },
      );
      expect(exportChecked.json).toMatchObject({ intact: false, failure: { seq: 12, kind: 'rewritten' } });
    });
  },
);

describe.skipIf(!SERVER_URL)('db roles gives each store roles of its own (PostgreSQL server)', () => {
  const suffix = `${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const alice = `alice_${suffix}`;
  const legacyLogin = `legacy_${suffix}`;
  const targets: Target[] = [];
  let server: postgres.Sql;
  let createdLegacy: string[] = [];

  beforeAll(async () => {
    server = postgres(SERVER_URL!, { max: 1, onnotice: () => {}, ...CURRENT_CLIENT });
    await server.unsafe(`create role ${alice} login; create role ${legacyLogin} login`);
    for (let i = 0; i < 3; i++) targets.push((await fixtureStore('postgres', `roles-${i}`)).target);
  }, 180_000);

  afterAll(async () => {
    for (const t of targets) await t.dispose();
    for (const name of [alice, legacyLogin, ...createdLegacy]) await server.unsafe(`drop role if exists ${name}`);
    await server.end();
  });

  // Each call a contact of its own: the same contact twice without --ref is refused (same-as-recorded).
  let calls = 0;
  const record = (t: Target, who: string) =>
    runCli(
      [
        'record',
        '--utr',
        '1955839661',
        '--channel',
        'internal-enquiry',
        '--subject',
        'Letter',
        '--operator',
        '1234567',
        '--action',
        `by ${who}, call ${++calls}`,
      ],
      { DATABASE_URL: withUser(t.env.DATABASE_URL!, who) },
    );

  it("a grant for one store means nothing in another; --prefix names the roles, and a refusal names the store's own role", async () => {
    const [a, b] = targets as [Target, Target];
    expect((await runCli(['db', 'roles'], a.env)).code).toBe(0);
    const custom = await runCli(['--json', 'db', 'roles', '--prefix', `cis_b_${suffix}`], b.env);
    expect(custom.code, custom.stderr).toBe(0);
    expect(custom.json.created).toEqual(['auditor', 'recorder', 'admin'].map((j) => `cis_b_${suffix}_${j}`));
    const aDb = postgres(a.env.DATABASE_URL!, { max: 1, onnotice: () => {}, ...CURRENT_CLIENT });
    await aDb.unsafe(`grant ${roleName(defaultRolePrefix(databaseOf(a.env.DATABASE_URL!)), 'recorder')} to ${alice}`);
    await aDb.end();
    const inA = await record(a, alice);
    expect(inA.code, inA.stderr).toBe(0);
    const elsewhere = await record(b, alice);
    expect(elsewhere.code).toBe(3);
    expect(elsewhere.stderr).toContain('permission denied for database');
    // An auditor of B reading history there is fine; recording needs B's recorder role, named by its custom prefix.
    const bDb = postgres(b.env.DATABASE_URL!, { max: 1, onnotice: () => {}, ...CURRENT_CLIENT });
    await bDb.unsafe(`grant cis_b_${suffix}_auditor to ${alice}`);
    await bDb.end();
    const refused = await record(b, alice);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain(`GRANT cis_b_${suffix}_recorder TO`);
    // A role of that name made for something else is never taken over.
    const clash = await runCli(['db', 'roles', '--prefix', `cis_b_${suffix}`], targets[2]!.env);
    expect(clash.code).toBe(2);
    expect(clash.stderr).toMatch(/already exist on this server for something other than this store/);
    expect(clash.stderr).toContain('--prefix');
  });

  it('a store set up with the older server-wide roles keeps working; db roles run again takes it back from them and names who needs a grant', async () => {
    const t = targets[2]!;
    const legacy = (job: Job) => roleName(LEGACY_PREFIX, job);
    const existing = await server<
      { rolname: string }[]
    >`select rolname::text as rolname from pg_roles where rolname like ${`${LEGACY_PREFIX}\\_%`}`;
    createdLegacy = (['auditor', 'recorder', 'admin'] as Job[])
      .map(legacy)
      .filter((n) => !existing.some((r) => r.rolname === n));
    const db = postgres(t.env.DATABASE_URL!, { max: 1, onnotice: () => {}, ...CURRENT_CLIENT });
    try {
      // What db roles did before roles had a prefix (and the chain lock that drizzle/0008 grants whoever may insert contacts).
      for (const name of createdLegacy) await db.unsafe(`create role ${name} nologin`);
      await db.unsafe(`grant ${legacy('auditor')} to ${legacy('recorder')}; grant ${legacy('recorder')} to ${legacy('admin')};
        revoke all on schema public from public; grant usage on schema public, drizzle to ${legacy('auditor')};
        grant select on contacts, enquiries, cis_records, partnership_members, operators, import_runs, drizzle.__drizzle_migrations to ${legacy('auditor')};
        grant insert on contacts, enquiries, import_runs to ${legacy('recorder')}; grant update (finished_at, summary) on import_runs to ${legacy('recorder')};
        grant select, update on chain_head_lock to ${legacy('recorder')};
        alter table contacts owner to ${legacy('admin')}; alter table enquiries owner to ${legacy('admin')};
        grant ${legacy('recorder')} to ${legacyLogin}`);
    } finally {
      await db.end();
    }
    expect((await record(t, legacyLogin)).code).toBe(0);
    const again = await runCli(['db', 'roles'], t.env);
    expect(again.code, again.stderr).toBe(0);
    const recorder = roleName(defaultRolePrefix(databaseOf(t.env.DATABASE_URL!)), 'recorder');
    expect(again.stdout).toContain(`GRANT ${recorder} TO ${legacyLogin};   -- had ${legacy('recorder')}`);
    const cut = await record(t, legacyLogin);
    expect(cut.code).toBe(3);
    const grant = postgres(t.env.DATABASE_URL!, { max: 1, onnotice: () => {}, ...CURRENT_CLIENT });
    await grant.unsafe(`grant ${recorder} to ${legacyLogin}`);
    const [owner] = await grant<
      { owner: string }[]
    >`select pg_get_userbyid(relowner)::text as owner from pg_class where oid = 'public.contacts'::regclass`;
    await grant.end();
    expect(owner!.owner).toBe(roleName(defaultRolePrefix(databaseOf(t.env.DATABASE_URL!)), 'admin'));
    expect((await record(t, legacyLogin)).code).toBe(0);
    expect((await runCli(['verify'], t.env)).code).toBe(0);
  });
});

describe('the embedded store is private to its owner', () => {
  const walk = (dir: string): { path: string; mode: number }[] => {
    const out: { path: string; mode: number }[] = [];
    const visit = (path: string) => {
      const stat = lstatSync(path);
      out.push({ path, mode: stat.mode & 0o777 });
      if (stat.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
    };
    visit(dir);
    return out;
  };
  const open = (dir: string) => walk(dir).filter((e) => (e.mode & 0o077) !== 0);
  const previousUmask = process.umask(0o022);
  afterAll(() => process.umask(previousUmask));

  const importInto = async (dir: string) => {
    const cwd = scratchFolder('cis-contact-private-');
    writeFileSync(
      join(cwd, 'log.csv'),
      `${LOG_HEADER}\n1955839661,internal-enquiry,2024-02-01,1234567,Letter,private\n`,
    );
    const env = { CIS_CONTACT_DATA_DIR: dir, DATABASE_URL: '' };
    await (await import('../support/cli.js')).loadFixtureReferences(env);
    return runCli(['import', join(cwd, 'log.csv')], env, { cwd });
  };

  it('a new store, made with umask 022, grants nothing to group or others after an import', async () => {
    const dir = join(scratchFolder('cis-contact-new-'), 'store');
    const r = await importInto(dir);
    expect(r.code, r.stderr).toBe(0);
    expect(walk(dir).length).toBeGreaterThan(100);
    expect(open(dir)).toEqual([]);
    expect(r.stderr).not.toContain('open to other accounts');
  });

  it('a store made open to others (as PGlite left it) is tightened when opened, with a warning naming it', async () => {
    const target = await createTarget('pglite');
    try {
      const dir = target.env.CIS_CONTACT_DATA_DIR!;
      chmodTree(dir, 0o755, 0o666);
      expect(open(dir).length).toBeGreaterThan(100);
      const first = await runCli(['verify'], target.env);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stderr).toContain(
        `warning: the embedded store at ${dir} was open to other accounts on this machine (mode 755`,
      );
      expect(open(dir)).toEqual([]);
      const r = await importInto(dir);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).not.toContain('open to other accounts');
      expect(open(dir)).toEqual([]);
    } finally {
      await target.dispose();
    }
  });

  it.skipIf(process.getuid?.() !== 0)(
    'a data directory owned by another account is refused, and nothing in it is touched (needs root to make one)',
    async () => {
      const target = await createTarget('pglite');
      try {
        const dir = target.env.CIS_CONTACT_DATA_DIR!;
        chownSync(dir, 65534, 65534);
        const r = await runCli(['verify'], target.env);
        expect(r.code).toBe(3);
        expect(r.stderr).toMatch(/belongs to another account \(uid 65534\)/);
        expect(r.stderr).toContain('[data-dir-unusable]');
        expect(lstatSync(dir).uid).toBe(65534);
      } finally {
        chownSync(target.env.CIS_CONTACT_DATA_DIR!, 0, 0);
        await target.dispose();
      }
    },
  );
});

function chmodTree(dir: string, dirMode: number, fileMode: number): void {
  const stat = lstatSync(dir);
  chmodSync(dir, stat.isDirectory() ? dirMode : fileMode);
  if (stat.isDirectory()) for (const name of readdirSync(dir)) chmodTree(join(dir, name), dirMode, fileMode);
}
