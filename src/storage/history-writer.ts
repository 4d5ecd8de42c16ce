/**
 * Appends contacts to the history: the one write path for `record`, `run`
 * and `import`. In one transaction per batch it takes the chain-head lock
 * (so concurrent writers interleave safely and `seq` stays gap-free),
 * sorts units into new, duplicate and conflicting by their source keys, and
 * writes the new ones with their audit chain values.
 */

import { sql } from 'drizzle-orm';
import { GENESIS_HASH, chainHasherAt } from '../domain/audit.js';
import {
  type ContactRow,
  type Database,
  type EnquiryRow,
  type HistoryWriter,
  type PreparedUnit,
  type Transaction,
  rows,
} from './database.js';
import { type ChainWait, DEFAULT_CHAIN_WAIT_SECONDS, holdLock } from './chain-lock.js';
import { contacts, enquiries } from './schema.js';

export type { PreparedUnit } from './database.js';

export interface StoredRef {
  seq: number;
  sourceKey: string;
  utr: string;
  partnershipUtr: string | null;
}

export type UnitOutcome =
  | { status: 'written'; stored: StoredRef[] }
  /** `partnersAdded`: partners the partnership has gained since the contact was recorded for the partners of its day. */
  | { status: 'duplicate'; stored: StoredRef[]; partnersAdded?: string[] }
  | { status: 'conflict'; sourceKey: string; detail: string }
  /** Under `refuseSameContent`: a contact with the same content is already stored on the same record and date (`detail`: by whom, when). */
  | { status: 'same'; stored: [StoredRef]; detail: string };

/** New contacts as plain INSERTs: one a `record`, and the import's one unit at a time (the database names its reason). */
export const insertRows: HistoryWriter = {
  batch(login) {
    const contactRows: ContactRow[] = [];
    const enquiryRows: EnquiryRow[] = [];
    return {
      add({ entry, contentHash }, seq, prevHash, hash) {
        const { enquiries: own, ...fields } = entry;
        contactRows.push({ ...fields, seq, contentHash, recordedBy: login, prevHash, hash });
        for (const e of own) enquiryRows.push({ ...e, contactSeq: seq });
      },
      async write(tx) {
        const size = 2000;
        for (let i = 0; i < contactRows.length; i += size)
          await tx.insert(contacts).values(contactRows.slice(i, i + size));
        for (let i = 0; i < enquiryRows.length; i += size)
          await tx.insert(enquiries).values(enquiryRows.slice(i, i + size));
      },
    };
  },
};

interface Head {
  seq: number;
  hash: string;
  now: string;
  /** The session's login: every contact the transaction writes is recorded by it. */
  login: string;
}

async function lockHead(tx: Transaction, wait: ChainWait): Promise<Head> {
  await holdLock(tx, 'chain', wait);
  // A new statement after the lock: its snapshot sees every writer that went before. The time is taken
  // now, holding the chain (never earlier than the entry before), and handed to the column's default.
  const [head] = await rows<{ seq: string | null; hash: string | null; now: string; login: string }>(
    tx,
    sql`
    select head.seq::text as seq, head.hash, t.now, session_user::text as login,
           pg_catalog.set_config('cis_contact.recorded_at', t.now, true) as placed
    from (select pg_catalog.to_char(pg_catalog.clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as now) as t
    left join lateral (select c.seq, c.hash from public.contacts c order by c.seq desc limit 1) as head on true`,
  );
  return {
    seq: head?.seq ? Number(head.seq) : 0,
    hash: head?.hash ?? GENESIS_HASH,
    now: head!.now,
    login: head!.login,
  };
}

interface Existing {
  seq: number;
  sourceKey: string;
  contentHash: string;
  utr: string;
  partnershipUtr: string | null;
  /** Who stored it and when, so a conflict names whom to ask (absent for a key written earlier in the batch). */
  storedBy?: string | null;
  storedAt?: string;
}

async function findExisting(tx: Transaction, keys: string[]): Promise<Map<string, Existing>> {
  const found = new Map<string, Existing>();
  if (keys.length === 0) return found;
  // One jsonb parameter however many keys: no per-key parameters to build or bind.
  const list = await rows<{
    source_key: string;
    seq: string;
    content_hash: string;
    utr: string;
    partnership_utr: string | null;
    recorded_by: string | null;
    recorded_at: string;
  }>(
    tx,
    sql`
    select source_key, seq::text as seq, content_hash, utr, partnership_utr, recorded_by,
           pg_catalog.to_char(recorded_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS "UTC"') as recorded_at
    from public.contacts
    where source_key in (select pg_catalog.jsonb_array_elements_text(${JSON.stringify(keys)}::jsonb))`,
  );
  for (const e of list) {
    found.set(e.source_key, {
      seq: Number(e.seq),
      sourceKey: e.source_key,
      contentHash: e.content_hash,
      utr: e.utr,
      partnershipUtr: e.partnership_utr,
      storedBy: e.recorded_by,
      storedAt: e.recorded_at,
    });
  }
  return found;
}

/** The stored contact a conflicting one meets: its seq, its writer and when it was stored. */
function storedAs(match: Existing): string {
  if (match.storedAt === undefined) return `as contact ${match.seq}, earlier in the same batch`;
  const by = match.storedBy ? `by ${match.storedBy}` : 'before writers were recorded';
  return `as contact ${match.seq}, stored ${by} at ${match.storedAt}`;
}

/** The first stored contact with the content of one of the unit's, on the same record and enquiry date (the index on both finds them); units earlier in the same batch are not yet stored, so not seen. */
async function findSameContent(tx: Transaction, unit: PreparedUnit): Promise<UnitOutcome | undefined> {
  const wanted = unit.contacts.map((c) => ({ utr: c.entry.utr, date: c.entry.enquiryDate, hash: c.contentHash }));
  const [same] = await rows<{
    seq: string;
    source_key: string;
    utr: string;
    partnership_utr: string | null;
    recorded_by: string | null;
    recorded_at: string;
  }>(
    tx,
    sql`
    select c.seq::text as seq, c.source_key, c.utr, c.partnership_utr, c.recorded_by,
           pg_catalog.to_char(c.recorded_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS "UTC"') as recorded_at
    from pg_catalog.jsonb_to_recordset(${JSON.stringify(wanted)}::jsonb) as w(utr text, date date, hash text)
    join public.contacts c on c.utr = w.utr and c.enquiry_date = w.date and c.content_hash = w.hash
    order by c.seq limit 1`,
  );
  if (!same) return undefined;
  return {
    status: 'same',
    stored: [
      { seq: Number(same.seq), sourceKey: same.source_key, utr: same.utr, partnershipUtr: same.partnership_utr },
    ],
    detail: `stored ${same.recorded_by ? `by ${same.recorded_by}` : 'before writers were recorded'} at ${same.recorded_at}`,
  };
}

function classify(unit: PreparedUnit, existing: Map<string, Existing>): UnitOutcome | undefined {
  if (existing.size === 0) return undefined;
  const matches = unit.contacts.map((c) => existing.get(c.entry.sourceKey));
  if (matches.every((m) => m === undefined)) return undefined;
  for (let i = 0; i < unit.contacts.length; i++) {
    const match = matches[i];
    const wanted = unit.contacts[i]!;
    if (match && match.contentHash !== wanted.contentHash) {
      return { status: 'conflict', sourceKey: wanted.entry.sourceKey, detail: storedAs(match) };
    }
  }
  const stored = matches
    .filter((m) => m !== undefined)
    .map((m) => ({ seq: m.seq, sourceKey: m.sourceKey, utr: m.utr, partnershipUtr: m.partnershipUtr }));
  const missing = unit.contacts.filter((_, i) => matches[i] === undefined);
  if (missing.length === 0) return { status: 'duplicate', stored };
  // Only a partnership's unit is stored on several records; every copy found says the same, so the
  // registry has gained partners since: the contact stands as recorded for the partners of its day.
  return { status: 'duplicate', stored, partnersAdded: missing.map((c) => c.entry.utr) };
}

export interface AppendOptions {
  writer?: HistoryWriter;
  /** Do everything, then roll back: what a real run would do, with nothing written. */
  rollback?: boolean;
  /**
   * Skip looking the source keys up: every unit is taken as new, and the
   * unique source key index refuses the batch if one is not. For a caller
   * that expects new contacts and retries a refused batch without it.
   */
  assumeNew?: boolean;
  /** How to wait for the chain (by default a bounded wait, silent, that no signal ends). */
  chain?: ChainWait;
  /**
   * For units keyed afresh (`record` without --ref): one whose content a
   * contact already stored on the same record and enquiry date has is not
   * written but answered `same`. Looked up holding the chain, so two such
   * records at once cannot both be written.
   */
  refuseSameContent?: boolean;
}

class RolledBack extends Error {
  constructor(readonly outcomes: UnitOutcome[]) {
    super('rolled back');
  }
}

/**
 * Appends units in one transaction. Outcomes come back in the units' order.
 * If the database refuses the batch, the transaction is rolled back whole and
 * the error propagates; callers retry unit by unit to find the guilty one.
 */
export async function appendUnits(
  db: Database | Transaction,
  units: PreparedUnit[],
  options: AppendOptions = {},
): Promise<UnitOutcome[]> {
  const writer = options.writer ?? insertRows;
  return db
    .transaction(async (tx): Promise<UnitOutcome[]> => {
      const head = await lockHead(tx, options.chain ?? { seconds: DEFAULT_CHAIN_WAIT_SECONDS });
      const existing = options.assumeNew
        ? new Map<string, Existing>()
        : await findExisting(
            tx,
            units.flatMap((u) => u.contacts.map((c) => c.entry.sourceKey)),
          );
      const outcomes: UnitOutcome[] = [];
      const batch = writer.batch(head.login);
      let { seq, hash } = head;
      const written = seq;
      const chainHash = chainHasherAt(head.now, head.login);
      for (const unit of units) {
        const known =
          classify(unit, existing) ?? (options.refuseSameContent ? await findSameContent(tx, unit) : undefined);
        if (known) {
          outcomes.push(known);
          continue;
        }
        const stored: StoredRef[] = [];
        for (const contact of unit.contacts) {
          seq += 1;
          const prevHash = hash;
          hash = chainHash(prevHash, contact.canonical, seq);
          batch.add(contact, seq, prevHash, hash);
          const { entry } = contact;
          // A key written earlier in the batch is a duplicate later in it; taken as new, the unique index is that check.
          if (!options.assumeNew)
            existing.set(entry.sourceKey, {
              seq,
              sourceKey: entry.sourceKey,
              contentHash: contact.contentHash,
              utr: entry.utr,
              partnershipUtr: entry.partnershipUtr,
            });
          stored.push({ seq, sourceKey: entry.sourceKey, utr: entry.utr, partnershipUtr: entry.partnershipUtr });
        }
        outcomes.push({ status: 'written', stored });
      }
      if (seq > written) await batch.write(tx);
      if (options.rollback) throw new RolledBack(outcomes);
      return outcomes;
    })
    .catch((error: unknown) => {
      if (error instanceof RolledBack) return error.outcomes;
      throw error;
    });
}
