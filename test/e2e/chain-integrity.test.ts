/**
 * No login forges time, bookkeeping or claims, or holds the chain unseen:
 * each way a login on a shared server was found to do so, tried again as
 * written, by plain SQL over the tool's own connection string, with real
 * logins made and dropped here on a server set up by `db roles`.
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChainEntry, chainHash } from '../../src/domain/audit.js';
import { storedContentHash } from '../../src/domain/identity.js';
import { databaseOf, defaultRolePrefix, roleName } from '../../src/storage/roles.js';
import { runCli, startCli } from '../support/cli.js';
import { until } from '../support/events.js';
import { CURRENT_CLIENT, SERVER_URL, type Target, fixtureStore, withUser } from '../support/targets.js';

const LOG_HEADER = 'utr,channel,enquiry_date,operator_pid,subject,action_taken';
/** The advisory lock keys the tool used for the migrations and the chain before drizzle/0008. */
const OLD_KEYS = [7_201_901, 7_201_902];
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
];

type Job = 'auditor' | 'recorder' | 'admin';

describe.skipIf(!SERVER_URL)(
  "the chain, time, import runs and claims against the store's own logins (PostgreSQL server)",
  () => {
    const suffix = `${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    const login = { rec: `crec_${suffix}`, rec2: `crectwo_${suffix}`, aud: `caud_${suffix}`, admin: `cadm_${suffix}` };
    let target: Target;
    let cwd: string;
    let server: postgres.Sql;
    const clients: postgres.Sql[] = [];
    const role = (job: Job) => roleName(defaultRolePrefix(databaseOf(target.env.DATABASE_URL!)), job);
    const as = (who: string, more: Record<string, string> = {}) => ({
      DATABASE_URL: withUser(target.env.DATABASE_URL!, who),
      ...more,
    });
    /** A connection as `who`, as psql would open it with the same connection string. */
    const sqlAs = (who: string) => {
      const client = postgres(withUser(target.env.DATABASE_URL!, who), {
        max: 1,
        onnotice: () => {},
        ...CURRENT_CLIENT,
      });
      clients.push(client);
      return client;
    };
    const dba = () => sqlAs(new URL(target.env.DATABASE_URL!).username || 'postgres');
    const contactCount = async () => (await dba()<{ n: number }[]>`select count(*)::int as n from contacts`)[0]!.n;

    const importFile = async (who: string, name: string, lines: string[], header = LOG_HEADER) => {
      writeFileSync(join(cwd, `${name}.csv`), `${[header, ...lines].join('\n')}\n`);
      return runCli(['--json', 'import', join(cwd, `${name}.csv`)], as(who), { cwd });
    };

    beforeAll(async () => {
      ({ target, cwd } = await fixtureStore('postgres', 'chain'));
      server = postgres(SERVER_URL!, { max: 1, onnotice: () => {}, ...CURRENT_CLIENT });
      for (const name of Object.values(login)) await server.unsafe(`create role ${name} login`);
      const roles = await runCli(['db', 'roles'], target.env);
      expect(roles.code, roles.stderr).toBe(0);
      await dba().unsafe(
        `grant ${role('recorder')} to ${login.rec}, ${login.rec2}; grant ${role('auditor')} to ${login.aud}; grant ${role('admin')} to ${login.admin}`,
      );
      const first = await importFile(login.rec, 'first', [
        `1955839661,internal-enquiry,2024-02-01,1234567,Letter,first`,
      ]);
      expect(first.code, first.stderr).toBe(0);
    }, 180_000);

    afterAll(async () => {
      for (const client of clients) await client.end();
      await target.dispose();
      for (const name of Object.values(login)) await server.unsafe(`drop role if exists ${name}`);
      await server.end();
    });

    it('an auditor holding every advisory key the tool knew blocks no writer, and cannot lock the chain or the migrations', async () => {
      const auditor = sqlAs(login.aud);
      for (const key of OLD_KEYS) await auditor`select pg_advisory_lock(${key})`;
      const recorded = await runCli(
        [...RECORD, '--action', 'past an auditor'],
        as(login.rec, { CIS_CONTACT_CHAIN_WAIT: '600' }),
        { cwd },
      );
      expect(recorded.code, recorded.stderr).toBe(0);
      const imported = await importFile(login.rec, 'past-auditor', [
        `1955839661,internal-enquiry,2024-02-02,1234567,Letter,past an auditor`,
      ]);
      expect(imported.code, imported.stderr).toBe(0);
      expect((await runCli(['db', 'migrate'], as(login.admin), { cwd })).code).toBe(0);
      for (const table of ['chain_head_lock', 'migration_lock']) {
        await expect(auditor.begin((tx) => tx.unsafe(`select held from ${table} for update`))).rejects.toThrow(
          /permission denied/,
        );
        await expect(auditor.begin((tx) => tx.unsafe(`lock table ${table} in share mode`))).rejects.toThrow(
          /permission denied/,
        );
      }
      // A recorder may hold the chain (it writes), never the migrations.
      await expect(sqlAs(login.rec).begin((tx) => tx`select held from migration_lock for update`)).rejects.toThrow(
        /permission denied/,
      );
      for (const key of OLD_KEYS) await auditor`select pg_advisory_unlock(${key})`;
    });

    it('a recorder holding the chain is named by a waiting record or import, which a signal ends with nothing stored; a bounded wait gives up naming it', async () => {
      const holder = await sqlAs(login.rec2).reserve();
      await holder`begin`;
      await holder`select held from chain_head_lock for update`;
      try {
        const before = await contactCount();
        const waiting = startCli([...RECORD, '--action', 'waited'], as(login.rec, { CIS_CONTACT_CHAIN_WAIT: '600' }), {
          cwd,
        });
        await until(
          `record to name ${login.rec2} as holding the chain`,
          () => waiting.stderr().includes(`login ${login.rec2}`),
          waiting,
        );
        expect(waiting.stderr()).toMatch(
          /waiting for the chain, held by login \S+ \(application "[^"]*", backend \d+, since /,
        );
        waiting.child.kill('SIGTERM');
        const ended = await waiting.exited;
        expect(ended.code).toBe(143);
        expect(ended.stderr).toMatch(/stopped while waiting for the chain: nothing of what it was writing was stored/);
        expect(ended.stderr).not.toMatch(/\n\s+at /);

        // An import's batch waiting for the chain ends the same way: nothing of it stored.
        writeFileSync(
          join(cwd, 'waiting.csv'),
          `${LOG_HEADER}\n1955839661,internal-enquiry,2024-02-05,1234567,Letter,waited\n`,
        );
        const importing = startCli(
          ['import', join(cwd, 'waiting.csv')],
          as(login.rec, { CIS_CONTACT_CHAIN_WAIT: '600' }),
          { cwd },
        );
        await until(
          `import to name ${login.rec2} as holding the chain`,
          () => importing.stderr().includes(`login ${login.rec2}`),
          importing,
        );
        importing.child.kill('SIGINT');
        expect((await importing.exited).code).toBe(130);

        const bounded = await runCli(
          [...RECORD, '--action', 'gave up'],
          as(login.rec, { CIS_CONTACT_CHAIN_WAIT: '1' }),
          { cwd },
        );
        expect(bounded.code).toBe(3);
        expect(bounded.stderr).toContain(`the chain stayed held by login ${login.rec2}`);
        expect(await contactCount()).toBe(before);
      } finally {
        await holder`rollback`;
        holder.release();
      }
    });

    it("import runs are the database's: squatted ids and forged runs change nothing, and another login's import succeeds", async () => {
      const squatter = sqlAs(login.rec2);
      const [{ next }] = await dba()<[{ next: number }]>`select coalesce(max(id), 0)::int + 1 as next from import_runs`;
      const squatted = await squatter<{ id: number }[]>`
      insert into import_runs (id, file) overriding system value select g, 'squat' from generate_series(${next + 1000}::int, ${next + 1049}::int) g returning id`;
      expect(squatted).toHaveLength(50);
      // Each run took the next id of its sequence, not the one it sent: no id ahead of the sequence is taken.
      expect(squatted.filter((r) => r.id >= next + 1000)).toEqual([]);
      await expect(
        squatter`insert into import_runs (file, started_at, finished_at, summary) values ('old.csv', '2019-01-01', '2019-01-02', '{}')`,
      ).rejects.toThrow(/an import run starts unfinished, with no summary/);
      const [dated] = await squatter<
        { started: string }[]
      >`insert into import_runs (file, started_at) values ('old.csv', '2019-01-01') returning started_at::text as started`;
      expect(dated!.started).not.toMatch(/^2019/);
      // An id taken behind the sequence's back (as the owner could) is stepped over, not an internal error.
      const [{ ahead }] = await dba()<[{ ahead: number }]>`select last_value::int + 1 as ahead from import_runs_id_seq`;
      await dba()`alter table import_runs disable trigger import_runs_stamped`;
      await dba()`insert into import_runs (id, file) overriding system value values (${ahead}, 'taken'), (${ahead + 1}, 'taken')`;
      await dba()`alter table import_runs enable always trigger import_runs_stamped`;
      const imported = await importFile(login.rec, 'after-squat', [
        `1955839661,internal-enquiry,2024-02-03,1234567,Letter,after squat`,
      ]);
      expect(imported.code, imported.stderr).toBe(0);
      expect(imported.json).toMatchObject({ contactsWritten: 1 });
      expect(imported.json.importRun).toBeGreaterThan(ahead + 1);
    });

    it('a contact back-dated through a long-open transaction is refused: it would be earlier than the entry before it', async () => {
      const late = await sqlAs(login.rec2).reserve();
      await late`begin`;
      const [{ now }] = await late<
        [{ now: string }]
      >`select to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as now`;
      try {
        // Someone else writes in between: the open transaction's time is now earlier than the head's.
        expect((await runCli([...RECORD, '--action', 'in between'], as(login.rec), { cwd })).code).toBe(0);
        const [head] = await late<
          { seq: number; hash: string }[]
        >`select seq::int as seq, hash from contacts order by seq desc limit 1`;
        const entry: ChainEntry = {
          seq: head!.seq + 1,
          sourceKey: `backdated-${head!.seq + 1}`,
          utr: '1955839661',
          partnershipUtr: null,
          contactType: null,
          contactName: null,
          channel: 'internal-enquiry',
          direction: 'Outbound',
          authentication: null,
          enquiryDate: '2024-03-01',
          operatorPid: '1234567',
          importRunId: null,
          recordedAt: now,
          recordedBy: login.rec2,
          enquiries: [{ position: 1, subject: 'Letter', actionTaken: 'backdated', generalNotes: null }],
        };
        await expect(late`insert into contacts (seq, source_key, content_hash, utr, channel, direction, enquiry_date, operator_pid, recorded_at, prev_hash, hash)
        values (${entry.seq}, ${entry.sourceKey}, ${storedContentHash(entry, entry)}, '1955839661', 'internal-enquiry', 'Outbound', '2024-03-01', '1234567',
                ${now}::timestamptz, ${head!.hash}, ${chainHash(head!.hash, entry)})`).rejects.toThrow(
          /may not be recorded earlier than the entry before it/,
        );
      } finally {
        await late`rollback`;
        late.release();
      }
      // Nor later than it is stored.
      await expect(
        sqlAs(login.rec2).begin(async (tx) => {
          const [head] = await tx<
            { seq: number; hash: string }[]
          >`select seq::int as seq, hash from contacts order by seq desc limit 1`;
          await tx`insert into contacts (seq, source_key, content_hash, utr, channel, direction, enquiry_date, operator_pid, recorded_at, prev_hash, hash)
        values (${head!.seq + 1}, 'future', ${'0'.repeat(32)}, '1955839661', 'internal-enquiry', 'Outbound', '2024-03-01', '1234567',
                now() + interval '1 hour', ${head!.hash}, ${'0'.repeat(64)})`;
        }),
      ).rejects.toThrow(/must be recorded at the time it is stored/);
    });

    it("claims forged into a run's summary change nothing: the corrected twin row is stored", async () => {
      const twin = '1955839661,internal-enquiry,2024-04-01,1234567,Letter,twin claim';
      const first = await importFile(login.rec, 'twins', [twin, twin, twin.replace(',1234567,', ',12345,')]);
      expect(first.json).toMatchObject({ rowsAccepted: 2, rowsRejected: 1 });
      const [stored] = await dba()<
        { key: string }[]
      >`select source_key as key from contacts where source_key like 'sha256:%#1' order by seq desc limit 1`;
      const fingerprint = stored!.key.slice('sha256:'.length, stored!.key.lastIndexOf('#'));
      // Another recorder claims line 4's row for the first occurrence, in a run of its own that it finishes.
      const forger = sqlAs(login.rec2);
      const [run] = await forger<{ id: number }[]>`insert into import_runs (file) values ('forged.csv') returning id`;
      const claims = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`${fingerprint}@${i + 1}`, 1]));
      await forger`update import_runs set finished_at = now(), summary = ${forger.json({ claims })} where id = ${run!.id}`;

      const rejects = join(cwd, 'twins.rejects.csv');
      writeFileSync(rejects, readFileSync(rejects, 'utf8').replace(',12345,', ',1234567,'));
      const corrected = await runCli(['--json', 'import', rejects], as(login.rec), { cwd });
      expect(corrected.code, corrected.stderr).toBe(0);
      expect(corrected.json).toMatchObject({ rowsAccepted: 1, rowsDuplicate: 0, contactsWritten: 1 });
      const keys = await dba()<
        { key: string }[]
      >`select source_key as key from contacts where source_key like ${`sha256:${fingerprint}#%`} order by 1`;
      expect(keys.map((k) => k.key.replace(/^.*#/, '#'))).toEqual(['#1', '#2', '#3']);
      // Its own claim holds: brought back again, it is a duplicate.
      expect((await runCli(['--json', 'import', rejects], as(login.rec), { cwd })).json).toMatchObject({
        rowsAccepted: 0,
        rowsDuplicate: 1,
      });
    });

    it('a ref taken by another recorder: the conflict names the stored contact, its writer and when it was stored', async () => {
      const taken = await runCli([...RECORD, '--action', 'first with the ref', '--ref', 'T2-9999'], as(login.rec2), {
        cwd,
      });
      expect(taken.code, taken.stderr).toBe(0);
      const [stored] = await dba()<
        { seq: number }[]
      >`select seq::int as seq from contacts where source_key = 'T2-9999'`;
      const theirs = await importFile(
        login.rec,
        'theirs',
        ['T2-9999,1955839661,internal-enquiry,2024-05-01,1234567,Letter,their own row'],
        `contact_ref,${LOG_HEADER}`,
      );
      expect(theirs.json).toMatchObject({ rowsRejected: 1, rejectsByCode: { 'conflicts-with-recorded': 1 } });
      expect(readFileSync(join(cwd, 'theirs.rejects.csv'), 'utf8')).toMatch(
        new RegExp(
          `T2-9999 is already recorded with different content: as contact ${stored!.seq}, stored by ${login.rec2} at \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC;`,
        ),
      );
    });
  },
);
