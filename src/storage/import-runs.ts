/**
 * Import runs: one row an import, started with its first batch and finished
 * with its summary. A run whose process died (kill -9, a lost machine, a
 * server that ended the session) is never finished by itself: the next run of
 * the same login closes it as interrupted, with what it had stored — but only
 * when it is sure the run's process is gone, since a run may be finished only
 * once (drizzle/0005) and a live import closed by mistake could not finish.
 */

import { sql } from 'drizzle-orm';
import { type Store, rows } from './database.js';
import { importRuns } from './schema.js';

/** An earlier run of this login closed as interrupted by this one. */
export interface ClosedRun {
  id: number;
  file: string;
  contactsWritten: number;
}

/**
 * Whether no earlier run of this login can still be alive. The embedded store
 * is held by one process at a time, under the kernel's lock: any unfinished run
 * is dead. On a server, a run is alive while its login has another session of
 * the tool open in this database; the check is conservative (another command
 * of the same login keeps runs open, to be closed by a later import).
 */
function noOtherSessionOfThisLogin(store: Store) {
  if (store.driver === 'pglite') return sql`true`;
  return sql`not exists (
    select 1 from pg_catalog.pg_stat_activity a
    where a.datname = pg_catalog.current_database() and a.usename = session_user
      and a.pid <> pg_catalog.pg_backend_pid() and a.application_name like 'cis-contact/%')`;
}

/**
 * Starts a run for `file`, first closing this login's unfinished runs whose
 * process is gone: `finished_at` the time they were closed, and a summary
 * saying `interrupted` with the contacts each had stored.
 */
export async function startImportRun(store: Store, file: string): Promise<{ id: number; closed: ClosedRun[] }> {
  // In a transaction of its own: every write declares the client's schema version, which only a transaction carries.
  return store.db.transaction(async (tx) => {
    const closed = await rows<ClosedRun>(
      tx,
      sql`
      update public.import_runs r
      set finished_at = pg_catalog.now(),
          summary = pg_catalog.jsonb_build_object(
            'interrupted', true,
            'closedAsInterrupted', 'by the next import run of the same login, which found its process gone',
            'contactsWritten', (select pg_catalog.count(*) from public.contacts c where c.import_run_id = r.id))
            -- The claims its batches recorded stay: they name corrected rows it stored.
            || (case when r.summary -> 'claims' is not null then pg_catalog.jsonb_build_object('claims', r.summary -> 'claims') else '{}'::jsonb end)
      where r.finished_at is null and r.recorded_by = session_user::text and ${noOtherSessionOfThisLogin(store)}
      returning r.id, r.file, (r.summary ->> 'contactsWritten')::int as "contactsWritten"`,
    );
    const [run] = await tx.insert(importRuns).values({ file }).returning({ id: importRuns.id });
    return { id: run!.id, closed: closed.map((c) => ({ ...c, id: Number(c.id) })) };
  });
}
