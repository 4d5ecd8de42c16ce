/**
 * One storage suite, run by pglite.test.ts and postgres.test.ts against their
 * own fresh store (after drizzle-orm's own integration tests). Each test
 * passes alone and in any order: the reference data is saved before each
 * (saving it again changes nothing), a test that needs a contact stored
 * stores one, and counts are taken before and after.
 */

import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ChainEntry, canonicalEntryByLibrary, chainHash, GENESIS_HASH } from '../../src/domain/audit.js';
import { jsonLine } from '../../src/outputs/export-format.js';
import { canonicalEntries, contactsInOrder, exportLineChunks } from '../../src/storage/history-reader.js';
import { abbreviationFinder } from '../../src/domain/abbreviations.js';
import { type Contact, type ContactTarget, type RawContact, checkContact } from '../../src/domain/contact.js';
import { type Store, rows } from '../../src/storage/database.js';
import { databaseRefusal } from '../../src/storage/database-errors.js';
import { appendUnits } from '../../src/storage/history-writer.js';
import { migrate } from '../../src/storage/migrate.js';
import { CLIENT_SCHEMA_VERSION } from '../../src/storage/client-version.js';
import {
  addMemberships,
  findOperators,
  findRecords,
  saveOperators,
  saveRecords,
} from '../../src/storage/reference-repository.js';
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
      target = await createTarget(driver);
      store = await target.open();
    });
    afterAll(async () => {
      await store?.close();
      await target?.dispose();
    });

    /** The registry and operator every contact here names (as 'saves and updates reference data' leaves them). */
    beforeEach(async () => {
      await store.db.transaction(async (tx) => {
        await saveRecords(tx, [
          { utr: CONTRACTOR, name: 'New name', kind: 'contractor', partnerOf: [] },
          { utr: PARTNER_A, name: 'A', kind: 'subcontractor', partnerOf: [PARTNERSHIP] },
          { utr: PARTNER_B, name: 'B', kind: 'subcontractor', partnerOf: [PARTNERSHIP] },
          { utr: PARTNERSHIP, name: 'A & B', kind: 'partnership', partnerOf: [] },
        ]);
        await addMemberships(tx, [
          { partnershipUtr: PARTNERSHIP, partnerUtr: PARTNER_A },
          { partnershipUtr: PARTNERSHIP, partnerUtr: PARTNER_B },
        ]);
        await saveOperators(tx, [
          {
            pid: '1234567',
            name: 'Priya',
            roles: ['CISR Processor'],
            periods: [],
            leftOn: undefined,
            logins: undefined,
          },
        ]);
      });
    });

    async function prepared(overrides = {}, key = `k-${Math.random()}`) {
      return preparedWith((c) => c, overrides, key);
    }

    /** Many units, with one look-up of the reference data for all of them. */
    async function preparedMany(raws: RawContact[]) {
      const lookup = await lookupFor(store.db, raws);
      return raws.map((raw) => {
        const check = checkContact(raw, lookup, settings);
        expect(check.contactErrors).toEqual([]);
        return prepareUnit(check.contact!, check.targets, `k-${Math.random()}`);
      });
    }

    const contactCount = async () => (await store.db.select().from(contacts)).length;

    /** A unit made from a valid contact changed after the rules: what only the database can refuse. */
    async function preparedWith(
      change: (c: Contact) => Contact,
      overrides = {},
      key = `k-${Math.random()}`,
      target = (t: ContactTarget) => t,
    ) {
      const raw = validContact(overrides);
      const check = checkContact(raw, await lookupFor(store.db, [raw]), settings);
      expect(check.contactErrors).toEqual([]);
      return prepareUnit(change(check.contact!), check.targets.map(target), key);
    }

    // postgres.js drops the server's reason for a refused COPY (see BatchRefused); PGlite keeps it, and INSERT always does.
    const named = (writer: unknown, message: RegExp) =>
      driver === 'postgres' && writer ? /refused the COPY into public.contacts/ : message;

    const tooLongAction = (c: Contact): Contact => ({
      ...c,
      enquiries: [{ subject: 'Callback', actionTaken: 'x'.repeat(101), generalNotes: null }],
    });

    it('migrates a new store, and a second run applies nothing', async () => {
      const empty = await createTarget(driver, false);
      const fresh = await empty.open();
      try {
        expect(await migrate(fresh.db)).toBe(CLIENT_SCHEMA_VERSION);
        expect(await migrate(fresh.db)).toBe(0);
        const tables = await rows<{ name: string }>(
          fresh.db,
          sql`select tablename as name from pg_tables where schemaname = 'public' order by 1`,
        );
        expect(tables.map((t) => t.name)).toEqual([
          'chain_head_lock',
          'cis_records',
          'contacts',
          'enquiries',
          'import_runs',
          'migration_lock',
          'operators',
          'partnership_members',
        ]);
      } finally {
        await fresh.close();
        await empty.dispose();
      }
    });

    it('saves and updates reference data', async () => {
      // Writes run in a transaction, which declares the client's schema version as the tool's writers do.
      await store.db.transaction(async (tx) => {
        await saveRecords(tx, [
          { utr: CONTRACTOR, name: 'Old name', kind: 'contractor', partnerOf: [] },
          { utr: PARTNER_A, name: 'A', kind: 'subcontractor', partnerOf: [PARTNERSHIP] },
          { utr: PARTNER_B, name: 'B', kind: 'subcontractor', partnerOf: [PARTNERSHIP] },
          { utr: PARTNERSHIP, name: 'A & B', kind: 'partnership', partnerOf: [] },
        ]);
        await saveRecords(tx, [{ utr: CONTRACTOR, name: 'New name', kind: 'contractor', partnerOf: [] }]);
        await addMemberships(tx, [
          { partnershipUtr: PARTNERSHIP, partnerUtr: PARTNER_A },
          { partnershipUtr: PARTNERSHIP, partnerUtr: PARTNER_B },
        ]);
        await addMemberships(tx, [{ partnershipUtr: PARTNERSHIP, partnerUtr: PARTNER_A }]);
        await saveOperators(tx, [
          {
            pid: '1234567',
            name: 'Priya',
            roles: ['CISR Processor'],
            periods: [],
            leftOn: undefined,
            logins: undefined,
          },
        ]);
      });
      const records = await findRecords(store.db, [CONTRACTOR, PARTNERSHIP, '1083016613']);
      expect(records.get(PARTNERSHIP)).toEqual({
        utr: PARTNERSHIP,
        kind: 'partnership',
        partners: [PARTNER_A, PARTNER_B],
      });
      expect(records.has('1083016613')).toBe(false);
      const [name] = await rows<{ name: string }>(
        store.db,
        sql`select name from public.cis_records where utr = ${CONTRACTOR}`,
      );
      expect(name!.name).toBe('New name');
      expect((await findOperators(store.db, ['1234567'])).get('1234567')).toEqual({
        pid: '1234567',
        roles: ['CISR Processor'],
        logins: [],
        periods: [],
        leftOn: null,
      });
    });

    it('appends units with a gap-free, valid audit chain', async () => {
      const before = await contactCount();
      const outcomes = await appendUnits(store.db, [
        await prepared(),
        await prepared({ utr: PARTNERSHIP }),
        await prepared(),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual(['written', 'written', 'written']);
      const all = await store.db.select().from(contacts).orderBy(contacts.seq);
      expect(all.map((c) => c.seq)).toEqual(Array.from({ length: before + 4 }, (_, i) => i + 1));
      const stored = all.slice(before);
      expect(stored.filter((c) => c.partnershipUtr === PARTNERSHIP).map((c) => c.utr)).toEqual([PARTNER_A, PARTNER_B]);
      expect(stored.some((c) => c.utr === PARTNERSHIP)).toBe(false);
      let prev = before === 0 ? GENESIS_HASH : all[before - 1]!.hash;
      for (const c of stored) {
        expect(c.prevHash).toBe(prev);
        const [at] = await rows<{ at: string }>(
          store.db,
          sql`select to_char(recorded_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at from public.contacts where seq = ${c.seq}`,
        );
        const es = await store.db
          .select()
          .from(enquiries)
          .where(sql`contact_seq = ${c.seq}`)
          .orderBy(enquiries.position);
        const entry = {
          seq: c.seq,
          sourceKey: c.sourceKey,
          utr: c.utr,
          partnershipUtr: c.partnershipUtr,
          contactType: c.contactType,
          contactName: c.contactName,
          channel: c.channel,
          direction: c.direction,
          authentication: c.authentication,
          enquiryDate: c.enquiryDate,
          operatorPid: c.operatorPid,
          importRunId: c.importRunId,
          recordedAt: at!.at,
          recordedBy: c.recordedBy,
          enquiries: es.map((e) => ({
            position: e.position,
            subject: e.subject,
            actionTaken: e.actionTaken,
            generalNotes: e.generalNotes,
          })),
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

    it('writing without looking keys up, a key already stored is refused by the database, and nothing is written', async () => {
      const stored = await prepared({}, 'REF-ASSUMED');
      await appendUnits(store.db, [stored]);
      const before = (await store.db.select().from(contacts)).length;
      for (const writer of [undefined, store.bulkWriter]) {
        const error = await appendUnits(store.db, [await prepared(), stored], { writer, assumeNew: true }).catch(
          (e) => e,
        );
        expect(databaseRefusal(error)).toMatch(named(writer, /contacts_source_key_unique/));
      }
      expect((await store.db.select().from(contacts)).length).toBe(before);
      const fresh = await appendUnits(store.db, [await prepared()], { writer: store.bulkWriter, assumeNew: true });
      expect(fresh.map((o) => o.status)).toEqual(['written']);
    });

    it('keeps seq gap-free when concurrent writers append', async () => {
      const before = (await store.db.select().from(contacts)).length;
      const units = await Promise.all(Array.from({ length: 8 }, () => prepared()));
      await Promise.all(units.map((u) => appendUnits(store.db, [u])));
      const seqs = (await store.db.select({ seq: contacts.seq }).from(contacts).orderBy(contacts.seq)).map(
        (r) => r.seq,
      );
      expect(seqs).toEqual(Array.from({ length: before + 8 }, (_, i) => i + 1));
    });

    it('refuses what the rules refuse, and the batch is rolled back whole', async () => {
      const before = (await store.db.select().from(contacts)).length;
      const good = await prepared();
      const bad = await preparedWith(tooLongAction);
      const error = await appendUnits(store.db, [good, bad]).catch((e) => e);
      expect(databaseRefusal(error)).toMatch(/too long/);
      expect((await store.db.select().from(contacts)).length).toBe(before);
    });

    it('bulk COPY writes a batch of several megabytes, and a refused one is reported as a refusal', async () => {
      const before = (await store.db.select().from(contacts)).length;
      const notes = 'n'.repeat(500);
      const units = await preparedMany(
        Array.from({ length: 6000 }, (_, i) =>
          validContact({ enquiries: [{ subject: 'Letter', action_taken: `Sent ${i}`, general_notes: notes }] }),
        ),
      );
      // Large enough that the COPY data is still streaming when the writer's follow-up query is queued.
      const outcomes = await appendUnits(store.db, units, { writer: store.bulkWriter });
      expect(outcomes.every((o) => o.status === 'written')).toBe(true);
      expect((await store.db.select().from(contacts)).length).toBe(before + 6000);
      const bad = await preparedWith(tooLongAction);
      const error = await appendUnits(store.db, [await prepared(), bad], { writer: store.bulkWriter }).catch((e) => e);
      expect(databaseRefusal(error)).toBeTruthy();
      expect((await store.db.select().from(contacts)).length).toBe(before + 6000);
    });

    describe('references', () => {
      const cases = [
        ['a CIS record', { utr: '1083016613' }, /CIS record 1083016613, which is not in the registry/],
        ['a partnership', { partnershipUtr: '1083016613' }, /partnership 1083016613, which is not in the registry/],
      ] as const;

      it.each(cases)(
        'a contact naming %s not in the registry is refused by INSERT and by COPY, named where the driver reports it',
        async (_, changes, message) => {
          const before = (await store.db.select().from(contacts)).length;
          for (const writer of [undefined, store.bulkWriter]) {
            const error = await appendUnits(
              store.db,
              [
                await prepared(),
                await preparedWith(
                  (c) => c,
                  {},
                  undefined,
                  (t) => ({ ...t, ...changes }),
                ),
              ],
              { writer },
            ).catch((e) => e);
            expect(databaseRefusal(error)).toMatch(named(writer, message));
          }
          expect((await store.db.select().from(contacts)).length).toBe(before);
        },
      );

      it('a contact naming an operator not in the list is refused by INSERT and by COPY, named where the driver reports it', async () => {
        const before = (await store.db.select().from(contacts)).length;
        for (const writer of [undefined, store.bulkWriter]) {
          const unit = await preparedWith((c) => ({ ...c, operatorPid: '7654321' }));
          const error = await appendUnits(store.db, [unit], { writer }).catch((e) => e);
          expect(databaseRefusal(error)).toMatch(named(writer, /operator 7654321, who is not in the operators list/));
        }
        expect((await store.db.select().from(contacts)).length).toBe(before);
      });

      const removals = [
        ['DELETE FROM cis_records', sql`delete from public.cis_records where utr = ${CONTRACTOR}`],
        ['UPDATE cis_records SET utr', sql`update public.cis_records set utr = '1083016613' where utr = ${CONTRACTOR}`],
        ['TRUNCATE cis_records CASCADE', sql`truncate public.cis_records cascade`],
        ['DELETE FROM operators', sql`delete from public.operators`],
        ['UPDATE operators SET pid', sql`update public.operators set pid = '7654321'`],
        ['TRUNCATE operators', sql`truncate public.operators`],
      ] as const;

      it.each(removals)('%s fails: what a contact refers to stays', async (_, statement) => {
        const error = await store.db
          .transaction((tx) => tx.execute(statement))
          .then(
            () => undefined,
            (e) => e,
          );
        expect(String(error?.cause?.message ?? error?.message)).toMatch(/is reference data for the contact history/);
        const [count] = await rows<{ records: number; operators: number }>(
          store.db,
          sql`
          select (select count(*)::int from public.cis_records where utr = ${CONTRACTOR}) as records, (select count(*)::int from public.operators) as operators`,
        );
        expect(count).toEqual({ records: 1, operators: 1 });
      });

      it('holds even with session_replication_role = replica', async () => {
        const error = await store.db
          .transaction(async (tx) => {
            await tx.execute(sql`set local session_replication_role = replica`);
            await tx.execute(sql`delete from public.operators`);
          })
          .then(
            () => undefined,
            (e) => e,
          );
        expect(String(error?.cause?.message ?? error?.message)).toMatch(/is reference data for the contact history/);
      });

      it('names can still be updated, and an update that keeps the key', async () => {
        await store.db.transaction(async (tx) => {
          await tx.execute(sql`update public.cis_records set utr = utr, name = 'Renamed' where utr = ${CONTRACTOR}`);
          await tx.execute(sql`update public.operators set name = 'Priya P'`);
        });
        const [after] = await rows<{ name: string }>(
          store.db,
          sql`select name from public.cis_records where utr = ${CONTRACTOR}`,
        );
        expect(after!.name).toBe('Renamed');
      });
    });

    describe('immutability', () => {
      // Something stored to change.
      beforeEach(async () => {
        expect((await appendUnits(store.db, [await prepared({}, 'IMMUTABLE-1')]))[0]!.status).toMatch(
          /^(written|duplicate)$/,
        );
      });

      const statements = [
        ['UPDATE contacts', sql`update public.contacts set contact_name = 'changed'`],
        ['DELETE FROM contacts', sql`delete from public.contacts`],
        ['TRUNCATE contacts', sql`truncate public.contacts cascade`],
        ['UPDATE enquiries', sql`update public.enquiries set action_taken = 'changed'`],
        ['DELETE FROM enquiries', sql`delete from public.enquiries`],
        ['TRUNCATE enquiries', sql`truncate public.enquiries`],
      ] as const;

      it.each(statements)('%s fails, even for the owner', async (_, statement) => {
        const before = await rows<{ n: number }>(store.db, sql`select count(*)::int as n from public.enquiries`);
        expect(before[0]!.n).toBeGreaterThan(0);
        const error = await store.db.execute(statement).then(
          () => undefined,
          (e) => e,
        );
        expect(String(error?.cause?.message ?? error?.message)).toMatch(/append-only/);
        const after = await rows<{ n: number; changed: number }>(
          store.db,
          sql`select count(*)::int as n, count(*) filter (where action_taken = 'changed')::int as changed from public.enquiries`,
        );
        expect(after[0]).toEqual({ n: before[0]!.n, changed: 0 });
      });

      it('holds even with session_replication_role = replica', async () => {
        const error = await store.db
          .transaction(async (tx) => {
            await tx.execute(sql`set local session_replication_role = replica`);
            await tx.execute(sql`delete from public.contacts`);
          })
          .then(
            () => undefined,
            (e) => e,
          );
        expect(String(error?.cause?.message ?? error?.message)).toMatch(/append-only/);
      });

      it('the current user owns the tables and is a superuser: the triggers bind everyone', async () => {
        const [me] = await rows<{ owner: boolean; superuser: boolean }>(
          store.db,
          sql`
          select (select tableowner from pg_tables where tablename = 'contacts') = current_user as owner,
                 (select rolsuper from pg_roles where rolname = current_user) as superuser`,
        );
        expect(me).toEqual({ owner: true, superuser: true });
      });
    });

    it('the database writes export lines and canonical text byte for byte as Node does, for any text', async () => {
      const awkward = [
        'quote " and backslash \\ and \\n',
        'tab\tand\nnewline\r\u0001\u001f\u007f',
        'é ß 漢字 😀 \u2028\u2029',
        '</script>',
        "it's",
      ];
      // Entries stored before the store refused such text (drizzle/0007) may hold it, and must still export byte for byte:
      // the checks are set aside while these are written, and put back as they were (NOT VALID), as a store of that age has them.
      const [checks] = await rows<{ contacts: string; enquiries: string }>(
        store.db,
        sql`
        select pg_get_constraintdef((select oid from pg_constraint where conname = 'contacts_plain_text')) as contacts,
               pg_get_constraintdef((select oid from pg_constraint where conname = 'enquiries_plain_text')) as enquiries`,
      );
      await store.db.execute(sql`alter table public.contacts drop constraint contacts_plain_text`);
      await store.db.execute(sql`alter table public.enquiries drop constraint enquiries_plain_text`);
      for (const [i, text] of awkward.entries()) {
        const unit = await preparedWith(
          (c) => ({
            ...c,
            contactName: text,
            enquiries: [
              { subject: 'Callback', actionTaken: text.slice(0, 90), generalNotes: text },
              { subject: 'Other', actionTaken: 'x', generalNotes: null },
            ],
          }),
          {},
          `awkward\\${i}\t"${text.slice(0, 10)}`,
        );
        expect((await appendUnits(store.db, [unit]))[0]!.status).toBe('written');
      }
      await store.db.execute(
        sql.raw(
          `alter table public.contacts add constraint contacts_plain_text ${checks!.contacts.replace(/ NOT VALID$/, '')} not valid`,
        ),
      );
      await store.db.execute(
        sql.raw(
          `alter table public.enquiries add constraint enquiries_plain_text ${checks!.enquiries.replace(/ NOT VALID$/, '')} not valid`,
        ),
      );
      const stored = [];
      for await (const entry of contactsInOrder(store.db)) stored.push(entry);
      let text = '';
      let lines = 0;
      for await (const chunk of exportLineChunks(store)) {
        text += chunk.text;
        lines += chunk.lines;
      }
      expect(lines).toBe(stored.length);
      expect(text).toBe(stored.map((e) => `${jsonLine(e)}\n`).join(''));
      const canonical = [];
      for await (const batch of canonicalEntries(store)) canonical.push(...batch);
      expect(
        canonical.map((c) => [c.seq, c.sourceKey, c.prevHash, c.hash, c.recordedBy, c.contentHashMatches, c.canonical]),
      ).toEqual(
        stored.map((e) => [e.seq, e.sourceKey, e.prevHash, e.hash, e.recordedBy, true, canonicalEntryByLibrary(e)]),
      );
      expect(stored.some((e) => e.sourceKey.includes('\t') && e.contactName?.includes('\\'))).toBe(true);
    });

    it('chain entries carry every stored field but the chain values themselves', async () => {
      const unit = await prepared();
      const entry = {
        ...unit.contacts[0]!.entry,
        seq: 99,
        recordedAt: '2026-01-01T00:00:00.000000Z',
        recordedBy: 'alice',
      } satisfies ChainEntry;
      const columns = await rows<{ name: string }>(
        store.db,
        sql`
        select column_name as name from information_schema.columns where table_schema = 'public' and table_name = 'contacts'
        and column_name not in ('prev_hash', 'hash', 'content_hash')`,
      );
      const camel = (name: string) => name.replace(/_(.)/g, (_, c: string) => c.toUpperCase());
      expect(Object.keys(entry).sort()).toEqual([...columns.map((c) => camel(c.name)), 'enquiries'].sort());
    });
  });
}
