/**
 * What the store keeps so that a row corrected in a rejects file is stored
 * once, under the key a right-first-time import would have given it.
 *
 * A row without a contact_ref is keyed by its fingerprint and occurrence
 * (`sha256:…#3`). A row rejected the first time had no fingerprint then, so
 * when it comes back corrected it takes the next occurrence of its
 * fingerprint not yet stored, and the import run that stores it records the
 * claim — the fingerprint, the row's line in the very first file, and the
 * occurrence — in its `summary`, in the same transaction as the contact. The
 * same row brought back again finds its claim, and is a duplicate.
 */

import { sql } from 'drizzle-orm';
import { type Executor, rows } from './database.js';

/** A claim's name: the fingerprint and the row's line in the very first file. */
export const claimName = (fingerprint: string, sourceLine: number) => `${fingerprint}@${sourceLine}`;

/**
 * Every claim that holds: name to occurrence. A summary is only what some
 * login wrote into its own run, so a claim counts only when the contact it
 * names (its fingerprint at that occurrence) is stored, was stored by the run
 * that made the claim, and by that run's own login. A claim forged into
 * another run's summary, or naming a contact its run did not store, is
 * ignored: the corrected row it would have hidden is stored.
 */
export async function loadClaims(db: Executor): Promise<Map<string, number>> {
  // A partnership's contact is stored once a partner, its key the unit's and `/UTR`. One pass over the
  // claiming runs' contacts (a hash join), made only by an import that brings corrected rows back.
  const found = await rows<{ name: string; occurrence: number }>(
    db,
    sql`
    with claimed as (
      select r.id as run, r.recorded_by as login, c.name, c.occurrence::int as occurrence,
             'sha256:' || pg_catalog.split_part(c.name, '@', 1) || '#' || c.occurrence as unit_key
      from public.import_runs r
      cross join lateral pg_catalog.jsonb_each_text(r.summary->'claims') as c(name, occurrence)
      where pg_catalog.jsonb_typeof(r.summary->'claims') = 'object' and c.occurrence ~ '^[0-9]{1,9}$')
    select distinct cl.name, cl.occurrence from claimed cl
    join public.contacts k on k.import_run_id = cl.run and k.recorded_by is not distinct from cl.login
      and pg_catalog.split_part(k.source_key, '/', 1) = cl.unit_key`,
  );
  const claims = new Map<string, number>();
  for (const { name, occurrence } of found) claims.set(name, occurrence);
  return claims;
}

/** Adds claims to an import run's summary (in the transaction that stores their contacts). */
export async function recordClaims(db: Executor, importRun: number, claims: Record<string, number>): Promise<void> {
  if (Object.keys(claims).length === 0) return;
  await db.execute(sql`update public.import_runs
    set summary = coalesce(summary, '{}'::jsonb) || jsonb_build_object('claims', coalesce(summary->'claims', '{}'::jsonb) || ${JSON.stringify(claims)}::jsonb)
    where id = ${importRun}`);
}

/** An import run's final summary, keeping the claims its batches recorded. */
export function summaryKeepingClaims(summary: object) {
  return sql`case when import_runs.summary->'claims' is null then ${JSON.stringify(summary)}::jsonb
    else ${JSON.stringify(summary)}::jsonb || jsonb_build_object('claims', import_runs.summary->'claims') end`;
}

/** Which of these source keys are stored. */
export async function storedKeys(db: Executor, keys: readonly string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const found = await rows<{ source_key: string }>(
    db,
    sql`
    select source_key from public.contacts where source_key in (select jsonb_array_elements_text(${JSON.stringify(keys)}::jsonb))`,
  );
  return new Set(found.map((r) => r.source_key));
}

export interface Provenance {
  sourceKey: string;
  /** The file whose import stored the contact, as it was named then; null if no import did. */
  file: string | null;
}

/** Where stored contacts came from, by seq. */
export async function provenanceOf(db: Executor, seqs: readonly number[]): Promise<Map<number, Provenance>> {
  const found = new Map<number, Provenance>();
  if (seqs.length === 0) return found;
  const list = await rows<{ seq: string; source_key: string; file: string | null }>(
    db,
    sql`
    select c.seq::text as seq, c.source_key, r.file from public.contacts c left join public.import_runs r on r.id = c.import_run_id
    where c.seq in (select jsonb_array_elements_text(${JSON.stringify(seqs)}::jsonb)::bigint)`,
  );
  for (const r of list) found.set(Number(r.seq), { sourceKey: r.source_key, file: r.file });
  return found;
}
