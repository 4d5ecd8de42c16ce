/**
 * One storage suite, run by pglite.test.ts and postgres.test.ts against their
 * own fresh store (after drizzle-orm's own integration tests).
 */

import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainHash, GENESIS_HASH } from '../../src/domain/audit.js';
import { abbreviationFinder } from '../../src/domain/abbreviations.js';
import { checkContact } from '../../src/domain/contact.js';
import { type Store, rows } from '../../src/storage/database.js';
import { databaseRefusal } from '../../src/storage/errors.js';
import { appendUnits, chainEntryOf } from '../../src/storage/history-writer.js';
import { migrate } from '../../src/storage/migrate.js';
import { addMemberships, findOperators, findRecords, saveOperators, saveRecords } from '../../src/storage/reference-repository.js';
import { contacts, enquiries } from '../../src/storage/schema.js';
import { lookupFor } from '../../src/import/reference-lookup.js';
import { prepareUnit } from '../../src/import/units.js';
import { type Target, createTarget } from '../support/targets.js';
import { CONTRACTOR, PARTNER_A, PARTNER_B, PARTNERSHIP, validContact } from '../support/domain-fixtures.js';

const settings = { today: '2026-11-22', strict: false, abbreviations: abbreviationFinder() };

export function storageSuite(driver: 'pglite' | 'postgres') {
  describe(`storage on ${driver}`, () => {
    let target: Target;
    let store: Store;

    beforeAll(async () => {
      target = await createTarget(driver, false);
      store = await target.open();
    });
    afterAll(async () => {
      await store?.close();
      await target?.dispose();
    });

    async function prepared(overrides = {}, key = `k-${Math.random()}`) {
      const raw = validContact(overrides);
      const check = checkContact(raw, await lookupFor(store.db, [raw]), settings);
      expect(check.contactErrors).toEqual([]);
      return prepareUnit(check.contact!, check.targets, key);
    }

    it('migrates a new store, and a second run applies nothing', async () => {
      expect(await migrate(store.db)).toBe(3);
      expect(await migrate(store.db)).toBe(0);
      const tables = await rows<{ name: string }>(store.db, sql`select tablename as name from pg_tables where schemaname = 'public' order by 1`);
      expect(tables.map((t) => t.name)).toEqual(['cis_records', 'contacts', 'enquiries', 'import_runs', 'operators', 'partnership_members']);
    });

    it('saves and updates reference data', async () => {
      await saveRecords(store.db, [
        { utr: CONTRACTOR, name: 'Old name', kind: 'contractor', partnerOf: [] },
        { utr: PARTNER_A, name: 'A', kind: 'subcontractor', partnerOf: [PARTNERSHIP] },
        { utr: PARTNER_B, name: 'B', kind: 'subcontractor', partnerOf: [PARTNERSHIP] },
        { utr: PARTNERSHIP, name: 'A & B', kind: 'partnership', partnerOf: [] },
      ]);
      await saveRecords(store.db, [{ utr: CONTRACTOR, name: 'New name', kind: 'contractor', partnerOf: [] }]);
      await addMemberships(store.db, [{ partnershipUtr: PARTNERSHIP, partnerUtr: PARTNER_A }, { partnershipUtr: PARTNERSHIP, partnerUtr: PARTNER_B }]);
      await addMemberships(store.db, [{ partnershipUtr: PARTNERSHIP, partnerUtr: PARTNER_A }]);
      await saveOperators(store.db, [{ pid: '1234567', name: 'Priya', roles: ['CISR Processor'] }]);
      const records = await findRecords(store.db, [CONTRACTOR, PARTNERSHIP, '1083016613']);
      expect(records.get(PARTNERSHIP)).toEqual({ utr: PARTNERSHIP, kind: 'partnership', partners: [PARTNER_A, PARTNER_B] });
      expect(records.has('1083016613')).toBe(false);
      const [name] = await rows<{ name: string }>(store.db, sql`select name from cis_records where utr = ${CONTRACTOR}`);
      expect(name!.name).toBe('New name');
      expect((await findOperators(store.db, ['1234567'])).get('1234567')).toEqual({ pid: '1234567', roles: ['CISR Processor'] });
    });

    it('appends units with a gap-free, valid audit chain', async () => {
      const outcomes = await appendUnits(store.db, [await prepared(), await prepared({ utr: PARTNERSHIP }), await prepared()]);
      expect(outcomes.map((o) => o.status)).toEqual(['written', 'written', 'written']);
      const stored = await store.db.select().from(contacts).orderBy(contacts.seq);
      expect(stored.map((c) => c.seq)).toEqual([1, 2, 3, 4]);
      expect(stored.filter((c) => c.partnershipUtr === PARTNERSHIP).map((c) => c.utr)).toEqual([PARTNER_A, PARTNER_B]);
      expect(stored.some((c) => c.utr === PARTNERSHIP)).toBe(false);
      let prev = GENESIS_HASH;
      for (const c of stored) {
        expect(c.prevHash).toBe(prev);
        const [at] = await rows<{ at: string }>(store.db, sql`select to_char(recorded_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at from contacts where seq = ${c.seq}`);
        const es = await store.db.select().from(enquiries).where(sql`contact_seq = ${c.seq}`).orderBy(enquiries.position);
        const entry = {
          seq: c.seq, sourceKey: c.sourceKey, utr: c.utr, partnershipUtr: c.partnershipUtr, contactType: c.contactType,
          contactName: c.contactName, channel: c.channel, direction: c.direction, authentication: c.authentication,
          enquiryDate: c.enquiryDate, operatorPid: c.operatorPid, importRunId: c.importRunId, recordedAt: at!.at,
          enquiries: es.map((e) => ({ position: e.position, subject: e.subject, actionTaken: e.actionTaken, generalNotes: e.generalNotes })),
        };
        expect(c.hash).toBe(chainHash(prev, entry));
        prev = c.hash;
      }
    });

    it('tells duplicates from conflicts by source key and content', async () => {
      const unit = await prepared({}, 'REF-1');
      expect((await appendUnits(store.db, [unit]))[0]!.status).toBe('written');
      expect((await appendUnits(store.db, [unit]))[0]).toMatchObject({ status: 'duplicate' });
      const changed = await prepared({ contact_name: 'Someone else' }, 'REF-1');
      expect((await appendUnits(store.db, [changed]))[0]).toMatchObject({ status: 'conflict', sourceKey: 'REF-1' });
    });

    it('keeps seq gap-free when concurrent writers append', async () => {
      const before = (await store.db.select().from(contacts)).length;
      const units = await Promise.all(Array.from({ length: 8 }, () => prepared()));
      await Promise.all(units.map((u) => appendUnits(store.db, [u])));
      const seqs = (await store.db.select({ seq: contacts.seq }).from(contacts).orderBy(contacts.seq)).map((r) => r.seq);
      expect(seqs).toEqual(Array.from({ length: before + 8 }, (_, i) => i + 1));
    });

    it('refuses what the rules refuse, and the batch is rolled back whole', async () => {
      const before = (await store.db.select().from(contacts)).length;
      const good = await prepared();
      const bad = await prepared();
      bad.contacts[0]!.contact = { ...bad.contacts[0]!.contact, enquiries: [{ subject: 'Callback', actionTaken: 'x'.repeat(101), generalNotes: null }] };
      const error = await appendUnits(store.db, [good, bad]).catch((e) => e);
      expect(databaseRefusal(error)).toMatch(/too long/);
      expect((await store.db.select().from(contacts)).length).toBe(before);
    });

    it('bulk COPY writes a batch of several megabytes, and a refused one is reported as a refusal', async () => {
      const before = (await store.db.select().from(contacts)).length;
      const notes = 'n'.repeat(500);
      const units = await Promise.all(Array.from({ length: 6000 }, (_, i) => prepared({ enquiries: [{ subject: 'Letter', action_taken: `Sent ${i}`, general_notes: notes }] })));
      // Large enough that the COPY data is still streaming when the writer's follow-up query is queued.
      const outcomes = await appendUnits(store.db, units, { writer: store.bulkWriter });
      expect(outcomes.every((o) => o.status === 'written')).toBe(true);
      expect((await store.db.select().from(contacts)).length).toBe(before + 6000);
      const bad = await prepared();
      bad.contacts[0]!.contact = { ...bad.contacts[0]!.contact, enquiries: [{ subject: 'Callback', actionTaken: 'x'.repeat(101), generalNotes: null }] };
      const error = await appendUnits(store.db, [await prepared(), bad], { writer: store.bulkWriter }).catch((e) => e);
      expect(databaseRefusal(error)).toBeTruthy();
      expect((await store.db.select().from(contacts)).length).toBe(before + 6000);
    });

    describe('immutability', () => {
      const statements = [
        ['UPDATE contacts', sql`update contacts set contact_name = 'changed'`],
        ['DELETE FROM contacts', sql`delete from contacts`],
        ['TRUNCATE contacts', sql`truncate contacts cascade`],
        ['UPDATE enquiries', sql`update enquiries set action_taken = 'changed'`],
        ['DELETE FROM enquiries', sql`delete from enquiries`],
        ['TRUNCATE enquiries', sql`truncate enquiries`],
        ['TRUNCATE cis_records CASCADE', sql`truncate cis_records cascade`],
      ] as const;

      it.each(statements)('%s fails, even for the owner', async (_, statement) => {
        const before = await rows<{ n: number }>(store.db, sql`select count(*)::int as n from enquiries`);
        expect(before[0]!.n).toBeGreaterThan(0);
        const error = await store.db.execute(statement).then(() => undefined, (e) => e);
        expect(String(error?.cause?.message ?? error?.message)).toMatch(/append-only|cannot truncate a table referenced/);
        const after = await rows<{ n: number; changed: number }>(store.db, sql`select count(*)::int as n, count(*) filter (where action_taken = 'changed')::int as changed from enquiries`);
        expect(after[0]).toEqual({ n: before[0]!.n, changed: 0 });
      });

      it('holds even with session_replication_role = replica', async () => {
        const error = await store.db.transaction(async (tx) => {
          await tx.execute(sql`set local session_replication_role = replica`);
          await tx.execute(sql`delete from contacts`);
        }).then(() => undefined, (e) => e);
        expect(String(error?.cause?.message ?? error?.message)).toMatch(/append-only/);
      });

      it('the current user owns the tables and is a superuser: the triggers bind everyone', async () => {
        const [me] = await rows<{ owner: boolean; superuser: boolean }>(store.db, sql`
          select (select tableowner from pg_tables where tablename = 'contacts') = current_user as owner,
                 (select rolsuper from pg_roles where rolname = current_user) as superuser`);
        expect(me).toEqual({ owner: true, superuser: true });
      });
    });

    it('chain entries carry every stored field', async () => {
      const unit = await prepared();
      const entry = chainEntryOf(unit.contacts[0]!, 99, '2026-01-01T00:00:00.000000Z', null);
      expect(Object.keys(entry).sort()).toEqual([
        'authentication', 'channel', 'contactName', 'contactType', 'direction', 'enquiries', 'enquiryDate', 'importRunId',
        'operatorPid', 'partnershipUtr', 'recordedAt', 'seq', 'sourceKey', 'utr',
      ]);
    });
  });
}
