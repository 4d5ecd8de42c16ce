/**
 * Reads the history back: pages of contacts in `seq` order with their
 * enquiries and chain values (export, verify), and one record's history
 * (history). Pages are keyset-paginated by `seq`, each one query with its
 * enquiries aggregated per contact, so memory stays bounded however long the
 * history is, on both drivers.
 */

import { type SQL, sql } from 'drizzle-orm';
import { CONTACT_FIELDS, type ChainedEntry } from '../domain/layout.js';
import { type Executor, type Store, rows } from './database.js';
import { CANONICAL_TEXT, CONTENT_HASH_MATCHES, EXPORT_LINE } from './entry-text.js';
import { copyTextValue } from './bulk-copy.js';

export interface ContactFilter {
  /** Enquiry dates, inclusive, `YYYY-MM-DD`. */
  from?: string | undefined;
  to?: string | undefined;
  /** Contacts on this record, or expanded from this partnership. */
  utr?: string | undefined;
  /** Only contacts with an enquiry of this subject. */
  subject?: string | undefined;
  /** Only contacts up to this seq. */
  through?: number | undefined;
}

function conditions(filter: ContactFilter): SQL {
  const parts: SQL[] = [sql`true`];
  if (filter.from) parts.push(sql`c.enquiry_date >= ${filter.from}::date`);
  if (filter.to) parts.push(sql`c.enquiry_date <= ${filter.to}::date`);
  if (filter.utr) parts.push(sql`(c.utr = ${filter.utr} or c.partnership_utr = ${filter.utr})`);
  if (filter.through !== undefined) parts.push(sql`c.seq <= ${filter.through}`);
  if (filter.subject) {
    parts.push(
      sql`exists (select 1 from public.enquiries s where s.contact_seq = c.seq and s.subject = ${filter.subject})`,
    );
  }
  return sql.join(parts, sql` and `);
}

/** An entry from its export line: the layout's every exported field; one added later is null where the entry lacks it. */
function stored(line: string): ChainedEntry {
  const entry = JSON.parse(line) as Record<string, unknown>;
  for (const f of ADDED_LATER) entry[f.key] ??= null;
  return entry as unknown as ChainedEntry;
}

const ADDED_LATER = CONTACT_FIELDS.filter((f) => f.addedLater);
const ENTRY_COLUMNS = sql`c.seq::text as seq, ${EXPORT_LINE} as line`;

/**
 * Rows of `columns` for every matching contact in `seq` order, a page (one
 * query) at a time. The next page is asked for as soon as a page arrives, so
 * on a server the database builds it while this process handles the last.
 */
async function* pagesInOrder<T extends { seq: string }>(
  executor: Executor,
  columns: SQL,
  filter: ContactFilter,
  pageSize: number,
): AsyncGenerator<T> {
  const pageAfter = (after: number) =>
    rows<T>(
      executor,
      sql`
    select ${columns} from public.contacts c where c.seq > ${after} and ${conditions(filter)} order by c.seq limit ${pageSize}`,
    );
  let next = pageAfter(0);
  for (;;) {
    const page = await next;
    const tail = page.at(-1);
    const last = page.length === pageSize && tail ? Number(tail.seq) : undefined;
    if (last !== undefined) {
      next = pageAfter(last);
      // Settled by the next turn of the loop; a consumer that stops early must not leave it unhandled.
      next.catch(() => {});
    }
    yield* page;
    if (last === undefined) return;
  }
}

/** Every matching contact in `seq` order, a page at a time. */
export async function* contactsInOrder(
  executor: Executor,
  filter: ContactFilter = {},
  pageSize = 1000,
): AsyncGenerator<ChainedEntry> {
  for await (const c of pagesInOrder<{ seq: string; line: string }>(executor, ENTRY_COLUMNS, filter, pageSize))
    yield stored(c.line);
}

/** Items of `source` in arrays of `size` (the last one shorter). */
async function* inBatches<T, U>(source: AsyncIterable<T>, size: number, map: (item: T) => U): AsyncGenerator<U[]> {
  let batch: U[] = [];
  for await (const item of source) {
    batch.push(map(item));
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** An entry's export line, as `jsonLine` writes it, with what a manifest needs. */
interface ExportLine {
  seq: string;
  hash: string;
  line: string;
}

/** Whole export lines, and what a manifest needs to know of them. */
export interface LinesChunk {
  text: string;
  lines: number;
  firstSeq: number;
  lastSeq: number;
  headHash: string;
}

const SEQ_AT = '{"seq":'.length;
const seqOf = (line: string) => Number(line.slice(SEQ_AT, line.indexOf(',', SEQ_AT)));

/** A chunk of whole lines as `jsonLine` writes them: each starts with its seq and ends with its hash. */
function described(text: string): LinesChunk {
  let lines = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) lines++;
  const lastLine = text.slice(text.lastIndexOf('\n', text.length - 2) + 1);
  // A line ends `"hash":"<64 hex digits>"}` and its newline.
  return { text, lines, firstSeq: seqOf(text), lastSeq: seqOf(lastLine), headHash: text.slice(-67, -3) };
}

/**
 * Every matching contact's JSON Lines text in `seq` order, in chunks of whole
 * lines. On a server one COPY streams them (one snapshot, no round trip a
 * page); on PGlite they come a page at a time.
 */
export async function* exportLineChunks(store: Store, filter: ContactFilter = {}): AsyncGenerator<LinesChunk> {
  if (store.copyOut) {
    for await (const text of store.copyOut(
      sql`select ${EXPORT_LINE} from public.contacts c where ${conditions(filter)} order by c.seq`,
    )) {
      yield described(copyTextValue(text));
    }
    return;
  }
  const pages = pagesInOrder<ExportLine>(
    store.db,
    sql`c.seq::text as seq, c.hash, ${EXPORT_LINE} as line`,
    filter,
    2000,
  );
  for await (const lines of inBatches(pages, 200, (l) => l)) {
    const [first] = lines;
    const last = lines.at(-1);
    if (!first || !last) continue;
    yield {
      text: `${lines.map((l) => l.line).join('\n')}\n`,
      lines: lines.length,
      firstSeq: Number(first.seq),
      lastSeq: Number(last.seq),
      headHash: last.hash,
    };
  }
}

/** An entry's chain values and canonical text, as `canonicalEntry` writes it. */
export interface CanonicalEntry {
  seq: number;
  sourceKey: string;
  prevHash: string;
  hash: string;
  /** Who wrote it, for a report that names the writer of a bad entry. */
  recordedBy: string | null;
  /** Its stored content hash is the one its fields give. */
  contentHashMatches: boolean;
  canonical: string;
}

interface CanonicalRow {
  seq: string;
  source_key: string;
  prev_hash: string;
  hash: string;
  recorded_by: string | null;
  content_hash_matches: boolean;
  canonical: string;
}

/** `<seq> <prev_hash><hash><canonical>`, then the source key, the writer and whether the content hash matches, in columns of their own. */
const CANONICAL_LINE = sql`c.seq::text || ' ' || c.prev_hash || c.hash || ${CANONICAL_TEXT}, c.source_key, c.recorded_by, ${CONTENT_HASH_MATCHES}`;

function fromCopyLine(line: string): CanonicalEntry {
  const space = line.indexOf(' ');
  const tab = line.indexOf('\t', space);
  const secondTab = line.indexOf('\t', tab + 1);
  const lastTab = line.lastIndexOf('\t');
  const recordedBy = line.slice(secondTab + 1, lastTab);
  return {
    seq: Number(line.slice(0, space)),
    prevHash: line.slice(space + 1, space + 65),
    hash: line.slice(space + 65, space + 129),
    canonical: copyTextValue(line.slice(space + 129, tab)),
    sourceKey: copyTextValue(line.slice(tab + 1, secondTab)),
    recordedBy: recordedBy === '\\N' ? null : copyTextValue(recordedBy),
    contentHashMatches: line.slice(lastTab + 1) === 't',
  };
}

/**
 * Every stored entry's chain values and canonical text, written by the
 * database from its stored columns, in `seq` order, a batch at a time: one
 * COPY on a server, pages on PGlite.
 */
export async function* canonicalEntries(store: Store, pageSize = 2000): AsyncGenerator<CanonicalEntry[]> {
  if (store.copyOut) {
    for await (const text of store.copyOut(sql`select ${CANONICAL_LINE} from public.contacts c order by c.seq`)) {
      yield text.slice(0, -1).split('\n').map(fromCopyLine);
    }
    return;
  }
  const columns = sql`c.seq::text as seq, c.source_key, c.prev_hash, c.hash, c.recorded_by, ${CONTENT_HASH_MATCHES} as content_hash_matches, ${CANONICAL_TEXT} as canonical`;
  yield* inBatches(pagesInOrder<CanonicalRow>(store.db, columns, {}, pageSize), pageSize, (r) => ({
    seq: Number(r.seq),
    sourceKey: r.source_key,
    prevHash: r.prev_hash,
    hash: r.hash,
    recordedBy: r.recorded_by,
    contentHashMatches: r.content_hash_matches,
    canonical: r.canonical,
  }));
}

/** One record's contacts (or a partnership's, on its partners), newest first. */
export async function historyOf(
  executor: Executor,
  filter: ContactFilter & { utr: string },
  limit = 10_000,
): Promise<ChainedEntry[]> {
  const list = await rows<{ line: string }>(
    executor,
    sql`
    select ${ENTRY_COLUMNS} from public.contacts c where ${conditions(filter)} order by c.enquiry_date desc, c.seq desc limit ${limit}`,
  );
  return list.map((c) => stored(c.line));
}

/**
 * How many contacts match, the last of them, and the store's last entry (one
 * statement, so one moment): an export covers exactly these, whatever is
 * recorded while it runs.
 */
export async function matchingContacts(
  executor: Executor,
  filter: ContactFilter,
): Promise<{ count: number; lastSeq: number; storeLastSeq: number }> {
  const [found] = await rows<{ count: number; last: string | null; head: string | null }>(
    executor,
    sql`
    select count(*) filter (where ${conditions(filter)})::int as count, max(c.seq) filter (where ${conditions(filter)})::text as last,
      max(c.seq)::text as head from public.contacts c`,
  );
  return { count: found!.count, lastSeq: Number(found!.last ?? 0), storeLastSeq: Number(found!.head ?? 0) };
}

/** What the chain says of an entry, and who wrote it. */
export interface ChainValues {
  seq: number;
  hash: string;
  sourceKey: string;
  recordedBy: string | null;
}

/** The chain values of every contact the filter selects, in `seq` order, a page at a time. */
export async function* chainValuesInOrder(
  executor: Executor,
  filter: ContactFilter,
  pageSize = 2000,
): AsyncGenerator<ChainValues> {
  const columns = sql`c.seq::text as seq, c.hash, c.source_key, c.recorded_by`;
  for await (const r of pagesInOrder<{ seq: string; hash: string; source_key: string; recorded_by: string | null }>(
    executor,
    columns,
    filter,
    pageSize,
  )) {
    yield { seq: Number(r.seq), hash: r.hash, sourceKey: r.source_key, recordedBy: r.recorded_by };
  }
}

/** The store's name: the hash of its first entry, which a restore keeps; null while it holds none. */
export async function storeIdentity(executor: Executor): Promise<string | null> {
  const [first] = await rows<{ hash: string }>(
    executor,
    sql`select c.hash from public.contacts c where c.seq operator(pg_catalog.=) 1`,
  );
  return first?.hash ?? null;
}

export async function chainHead(
  executor: Executor,
): Promise<{ count: number; lastSeq: number | null; headHash: string | null }> {
  const [head] = await rows<{ count: number; last: string | null; hash: string | null }>(
    executor,
    sql`
    select (select count(*)::int from public.contacts) as count, h.seq::text as last, h.hash
    from (select 1) one left join lateral (select seq, hash from public.contacts order by seq desc limit 1) h on true`,
  );
  return { count: head!.count, lastSeq: head!.last === null ? null : Number(head!.last), headHash: head!.hash };
}

/** Enquiries whose contact is not stored (the chain cannot see them, so `verify` looks for them), the first `limit` and how many. */
export async function strayEnquiries(
  executor: Executor,
  limit: number,
): Promise<{ count: number; first: { contactSeq: number; position: number }[] }> {
  const list = await rows<{ contact_seq: string; position: number; count: number }>(
    executor,
    sql`
    select e.contact_seq::text as contact_seq, e.position, count(*) over ()::int as count from public.enquiries e
    where not exists (select 1 from public.contacts c where c.seq = e.contact_seq)
    order by e.contact_seq, e.position limit ${limit}`,
  );
  return {
    count: list[0]?.count ?? 0,
    first: list.map((s) => ({ contactSeq: Number(s.contact_seq), position: s.position })),
  };
}
