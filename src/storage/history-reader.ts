/**
 * Reads the history back: pages of contacts in `seq` order with their
 * enquiries and chain values (export, verify), and one record's history
 * (history). Pages are keyset-paginated by `seq`, each one query with its
 * enquiries aggregated per contact, so memory stays bounded however long the
 * history is, on both drivers.
 */

import { type SQL, sql } from 'drizzle-orm';
import type { ChainEntry } from '../domain/audit.js';
import { type Executor, rows } from './database.js';

export interface StoredContact extends ChainEntry {
  prevHash: string;
  hash: string;
}

export interface ContactFilter {
  /** Enquiry dates, inclusive, `YYYY-MM-DD`. */
  from?: string | undefined;
  to?: string | undefined;
  /** Contacts on this record, or expanded from this partnership. */
  utr?: string | undefined;
  /** Only contacts with an enquiry of this subject. */
  subject?: string | undefined;
}

interface ContactRow {
  seq: string;
  source_key: string;
  utr: string;
  partnership_utr: string | null;
  contact_type: string | null;
  contact_name: string | null;
  channel: string;
  direction: string;
  authentication: string | null;
  enquiry_date: string;
  operator_pid: string;
  import_run_id: number | null;
  recorded_at: string;
  recorded_by: string | null;
  prev_hash: string;
  hash: string;
  /** The contact's enquiries as JSON text, in position order. */
  enquiries: string;
}

const COLUMNS = sql`c.seq::text as seq, c.source_key, c.utr, c.partnership_utr, c.contact_type, c.contact_name, c.channel,
  c.direction, c.authentication, c.enquiry_date::text as enquiry_date, c.operator_pid, c.import_run_id,
  to_char(c.recorded_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as recorded_at, c.recorded_by, c.prev_hash, c.hash,
  (select coalesce(json_agg(json_build_object('position', e.position, 'subject', e.subject, 'actionTaken', e.action_taken,
     'generalNotes', e.general_notes) order by e.position), '[]')::text
   from enquiries e where e.contact_seq = c.seq) as enquiries`;

function conditions(filter: ContactFilter): SQL {
  const parts: SQL[] = [sql`true`];
  if (filter.from) parts.push(sql`c.enquiry_date >= ${filter.from}::date`);
  if (filter.to) parts.push(sql`c.enquiry_date <= ${filter.to}::date`);
  if (filter.utr) parts.push(sql`(c.utr = ${filter.utr} or c.partnership_utr = ${filter.utr})`);
  if (filter.subject) {
    parts.push(sql`exists (select 1 from enquiries s where s.contact_seq = c.seq and s.subject = ${filter.subject})`);
  }
  return sql.join(parts, sql` and `);
}

function stored(c: ContactRow): StoredContact {
  return {
    seq: Number(c.seq),
    sourceKey: c.source_key,
    utr: c.utr,
    partnershipUtr: c.partnership_utr,
    contactType: c.contact_type,
    contactName: c.contact_name,
    channel: c.channel,
    direction: c.direction,
    authentication: c.authentication,
    enquiryDate: c.enquiry_date,
    operatorPid: c.operator_pid,
    importRunId: c.import_run_id,
    recordedAt: c.recorded_at,
    recordedBy: c.recorded_by,
    enquiries: JSON.parse(c.enquiries),
    prevHash: c.prev_hash,
    hash: c.hash,
  };
}

/** Every matching contact in `seq` order, a page at a time. */
export async function* contactsInOrder(executor: Executor, filter: ContactFilter = {}, pageSize = 1000): AsyncGenerator<StoredContact> {
  let after = 0;
  for (;;) {
    const page = await rows<ContactRow>(executor, sql`
      select ${COLUMNS} from contacts c where c.seq > ${after} and ${conditions(filter)} order by c.seq limit ${pageSize}`);
    if (page.length === 0) return;
    for (const c of page) yield stored(c);
    after = Number(page[page.length - 1]!.seq);
    if (page.length < pageSize) return;
  }
}

/** One record's contacts (or a partnership's, on its partners), newest first. */
export async function historyOf(executor: Executor, filter: ContactFilter & { utr: string }, limit = 10_000): Promise<StoredContact[]> {
  const list = await rows<ContactRow>(executor, sql`
    select ${COLUMNS} from contacts c where ${conditions(filter)} order by c.enquiry_date desc, c.seq desc limit ${limit}`);
  return list.map(stored);
}

export async function chainHead(executor: Executor): Promise<{ count: number; lastSeq: number | null; headHash: string | null }> {
  const [head] = await rows<{ count: number; last: string | null; hash: string | null }>(executor, sql`
    select (select count(*)::int from contacts) as count, h.seq::text as last, h.hash
    from (select 1) one left join lateral (select seq, hash from contacts order by seq desc limit 1) h on true`);
  return { count: head!.count, lastSeq: head!.last === null ? null : Number(head!.last), headHash: head!.hash };
}

/** The first enquiry whose contact is not stored, if any: the chain cannot see it, so `verify` looks for it. */
export async function strayEnquiry(executor: Executor): Promise<{ contactSeq: number; position: number } | null> {
  const [stray] = await rows<{ contact_seq: string; position: number }>(executor, sql`
    select e.contact_seq::text as contact_seq, e.position from enquiries e
    where not exists (select 1 from contacts c where c.seq = e.contact_seq)
    order by e.contact_seq, e.position limit 1`);
  return stray ? { contactSeq: Number(stray.contact_seq), position: stray.position } : null;
}
