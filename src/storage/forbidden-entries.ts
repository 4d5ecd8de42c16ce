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

import { type SQL, sql } from 'drizzle-orm';
import { CONTACT_FIELDS, ENQUIRY_FIELDS, type StoredField } from '../domain/layout.js';
import { FORBIDDEN_CHARACTERS, findControlCharacter } from '../domain/text.js';
import { type Executor, rows } from './database.js';

export interface ForbiddenEntry {
  seq: number;
  sourceKey: string;
  recordedBy: string | null;
  reason: string;
}

/** A JavaScript bracket expression as PostgreSQL's: `\u{1d173}` is `\U0001d173` there. */
const postgresPattern = (js: string) =>
  js.replace(/\\u\{([0-9a-f]+)\}/g, (_, hex: string) => `\\U${hex.padStart(8, '0')}`).replace('\\u0000', '\\u0001');

const SINGLE = postgresPattern(FORBIDDEN_CHARACTERS.singleLine);
const MULTI = postgresPattern(FORBIDDEN_CHARACTERS.multiLine);

/** The layout's free-text fields: a contact's, and an enquiry's, each with the pattern its text may not match. */
const freeTextOf = (fields: readonly StoredField[]) =>
  fields.flatMap((f) => (f.freeText ? [{ column: f.column, pattern: f.freeText.multiline ? MULTI : SINGLE }] : []));
const CONTACT_TEXT = freeTextOf(CONTACT_FIELDS);
const ENQUIRY_TEXT = freeTextOf(ENQUIRY_FIELDS);
const MULTILINE_COLUMNS = new Set(
  [...CONTACT_FIELDS, ...ENQUIRY_FIELDS].filter((f) => f.freeText?.multiline).map((f) => f.column),
);

/** A union's branches, one a free-text column: an entry for each text that holds a forbidden character, named by its column (and enquiry). */
const textBranches: SQL[] = [
  ...CONTACT_TEXT.map(
    ({ column, pattern }) => sql`
      union all select c.seq, ${sql.raw(`'${column}'`)}, ${sql.raw(`c.${column}`)}, null from public.contacts c
        where ${sql.raw(`c.${column}`)} operator(pg_catalog.~) ${pattern}`,
  ),
  ...ENQUIRY_TEXT.map(
    ({ column, pattern }) => sql`
      union all select e.contact_seq, ${sql.raw(`'${column} of enquiry '`)} operator(pg_catalog.||) e.position::text, ${sql.raw(`e.${column}`)}, null from public.enquiries e
        where ${sql.raw(`e.${column}`)} operator(pg_catalog.~) ${pattern}`,
  ),
];

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
  if (r.what === 'partnership')
    return `${entry} is recorded on ${r.value}, a partnership's own UTR: a partnership holds no contact notes (CISR90270)`;
  if (r.what === 'date')
    return `${entry} has the enquiry date ${r.value}, after the day it was recorded (${r.recorded_on}, Europe/London)`;
  const control = findControlCharacter(r.value, MULTILINE_COLUMNS.has(r.what.split(' of enquiry ')[0]!));
  return `${entry}: its ${r.what} holds the character ${control ?? 'the tool refuses'}, a control, bidi or invisible format character that text may not hold`;
}

/** The first `limit` forbidden entries in seq order (an entry once for each thing it holds), and how many there are. */
export async function forbiddenEntries(
  executor: Executor,
  limit: number,
): Promise<{ count: number; first: ForbiddenEntry[] }> {
  const found = await rows<Row>(
    executor,
    sql`
    select f.seq::text as seq, c.source_key, c.recorded_by, f.what, f.value, f.recorded_on, (count(*) over ())::int as total from (
      select c.seq, 'source_key' as what, c.source_key as value, null as recorded_on from public.contacts c
        where c.source_key operator(pg_catalog.~) ${SINGLE}${sql.join(textBranches)}
      union all select c.seq, 'date', pg_catalog.to_char(c.enquiry_date, 'YYYY-MM-DD'),
          pg_catalog.to_char(pg_catalog.timezone('Europe/London', c.recorded_at), 'YYYY-MM-DD') from public.contacts c
        where c.enquiry_date operator(pg_catalog.>) pg_catalog.timezone('Europe/London', c.recorded_at)::date
      union all select c.seq, 'partnership', c.utr::text, null from public.contacts c join public.cis_records r on r.utr operator(pg_catalog.=) c.utr
        where r.kind operator(pg_catalog.=) 'partnership'
    ) f join public.contacts c on c.seq operator(pg_catalog.=) f.seq
    order by f.seq, f.what collate "C" limit ${limit}`,
  );
  return {
    count: found[0]?.total ?? 0,
    first: found.map((r) => ({
      seq: Number(r.seq),
      sourceKey: r.source_key,
      recordedBy: r.recorded_by,
      reason: reason(r),
    })),
  };
}
