/**
 * The contacts stored under contact_refs: the ref itself, and a
 * partnership's contacts, stored on each partner as `ref/UTR`. Both are
 * found through the unique source key index: a partner's key is the ref,
 * `/` and ten digits, so every one lies between `ref/0000000000` and
 * `ref/9999999999` whatever the database's collation, and is checked again
 * by its exact form.
 */

import { sql } from 'drizzle-orm';
import { type Executor, rows } from './database.js';

export interface StoredUnderRef {
  seq: number;
  sourceKey: string;
  /** The login that stored it (null before writers were recorded), and when. */
  recordedBy: string | null;
  recordedAt: string;
}

/** Per ref, the contacts stored under it, in seq order; refs with none are absent. */
export async function storedUnderRefs(db: Executor, refs: readonly string[]): Promise<Map<string, StoredUnderRef[]>> {
  const found = new Map<string, StoredUnderRef[]>();
  if (refs.length === 0) return found;
  const list = await rows<{
    ref: string;
    seq: string;
    source_key: string;
    recorded_by: string | null;
    recorded_at: string;
  }>(
    db,
    sql`
    select r.ref, c.seq::text as seq, c.source_key, c.recorded_by,
           pg_catalog.to_char(c.recorded_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS "UTC"') as recorded_at
    from (select distinct pg_catalog.jsonb_array_elements_text(${JSON.stringify(refs)}::jsonb) as ref) as r
    cross join lateral (
      select k.seq, k.source_key, k.recorded_by, k.recorded_at from public.contacts k where k.source_key = r.ref
      union all
      select k.seq, k.source_key, k.recorded_by, k.recorded_at from public.contacts k
      where k.source_key >= r.ref || '/0000000000' and k.source_key <= r.ref || '/9999999999'
        and pg_catalog.starts_with(k.source_key, r.ref || '/') and pg_catalog.length(k.source_key) = pg_catalog.length(r.ref) + 11
    ) as c
    order by c.seq`,
  );
  for (const r of list) {
    const stored = found.get(r.ref) ?? [];
    stored.push({ seq: Number(r.seq), sourceKey: r.source_key, recordedBy: r.recorded_by, recordedAt: r.recorded_at });
    found.set(r.ref, stored);
  }
  return found;
}
