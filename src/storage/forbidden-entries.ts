/**
 * Stored entries that hold what the tool and, since drizzle/0007, the
 * database refuse: a control, bidi or invisible format character in text; a
 * contact on a partnership's own UTR; an enquiry dated after the day it was
 * recorded (Europe/London). The database's constraints were added NOT VALID,
 * so entries stored before stay as they are: `verify` names each with its
 * writer. The checks are made here, with the tool's own patterns and
 * pg_catalog's operator, not by the store's function, which its owner could
 * replace.
 */

import { sql } from 'drizzle-orm';
import { FORBIDDEN_CHARACTERS, findControlCharacter } from '../domain/text.js';
import { type Executor, rows } from './database.js';

export interface ForbiddenEntry {
  seq: number;
  sourceKey: string;
  recordedBy: string | null;
  reason: string;
}

/** A JavaScript bracket expression as PostgreSQL's: `\u{1d173}` is `\U0001d173` there. */
const postgresPattern = (js: string) => js.replace(/\\u\{([0-9a-f]+)\}/g, (_, hex: string) => `\\U${hex.padStart(8, '0')}`)
  .replace('\\u0000', '\\u0001');

const SINGLE = postgresPattern(FORBIDDEN_CHARACTERS.singleLine);
const MULTI = postgresPattern(FORBIDDEN_CHARACTERS.multiLine);

interface Row {
  seq: string;
  source_key: string;
  recorded_by: string | null;
  what: string;
  value: string;
  recorded_on: string | null;
  total: number;
}

function reason(r: Row): string {
  const entry = `entry ${r.seq} (source key ${r.source_key})`;
  if (r.what === 'partnership') return `${entry} is recorded on ${r.value}, a partnership's own UTR: a partnership holds no contact notes (CISR90270)`;
  if (r.what === 'date') return `${entry} has the enquiry date ${r.value}, after the day it was recorded (${r.recorded_on}, Europe/London)`;
  const control = findControlCharacter(r.value, r.what.startsWith('general_notes'));
  return `${entry}: its ${r.what} holds the character ${control ?? 'the tool refuses'}, a control, bidi or invisible format character that text may not hold`;
}

/** The first `limit` forbidden entries in seq order (an entry once for each thing it holds), and how many there are. */
export async function forbiddenEntries(executor: Executor, limit: number): Promise<{ count: number; first: ForbiddenEntry[] }> {
  const found = await rows<Row>(executor, sql`
    select f.seq::text as seq, c.source_key, c.recorded_by, f.what, f.value, f.recorded_on, (count(*) over ())::int as total from (
      select c.seq, 'source_key' as what, c.source_key as value, null as recorded_on from public.contacts c
        where c.source_key operator(pg_catalog.~) ${SINGLE}
      union all select c.seq, 'contact_name', c.contact_name, null from public.contacts c
        where c.contact_name operator(pg_catalog.~) ${SINGLE}
      union all select e.contact_seq, 'action_taken of enquiry ' operator(pg_catalog.||) e.position::text, e.action_taken, null from public.enquiries e
        where e.action_taken operator(pg_catalog.~) ${SINGLE}
      union all select e.contact_seq, 'general_notes of enquiry ' operator(pg_catalog.||) e.position::text, e.general_notes, null from public.enquiries e
        where e.general_notes operator(pg_catalog.~) ${MULTI}
      union all select c.seq, 'date', pg_catalog.to_char(c.enquiry_date, 'YYYY-MM-DD'),
          pg_catalog.to_char(pg_catalog.timezone('Europe/London', c.recorded_at), 'YYYY-MM-DD') from public.contacts c
        where c.enquiry_date operator(pg_catalog.>) pg_catalog.timezone('Europe/London', c.recorded_at)::date
      union all select c.seq, 'partnership', c.utr::text, null from public.contacts c join public.cis_records r on r.utr operator(pg_catalog.=) c.utr
        where r.kind operator(pg_catalog.=) 'partnership'
    ) f join public.contacts c on c.seq operator(pg_catalog.=) f.seq
    order by f.seq, f.what collate "C" limit ${limit}`);
  return {
    count: found[0]?.total ?? 0,
    first: found.map((r) => ({ seq: Number(r.seq), sourceKey: r.source_key, recordedBy: r.recorded_by, reason: reason(r) })),
  };
}
