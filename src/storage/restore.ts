/**
 * Loads an audit export into an empty store, exactly: every `seq`,
 * `recorded_at`, source key and chain value as exported, so the restored
 * chain has the same head hash and re-importing the original files finds
 * every contact already stored. The chain is verified as it loads and the
 * whole load is one transaction: a broken, truncated or filtered export, or
 * a store that is not empty, writes nothing.
 */

import { sql } from 'drizzle-orm';
import { inputError, interruptedError } from '../domain/errors.js';
import { storedContentHash } from '../domain/identity.js';
import type { ChainedEntry } from '../domain/layout.js';
import { ChainVerifier, type Manifest } from '../domain/verification.js';
import { type Store, rows } from './database.js';
import { type RestoredContactRow, restoringWriter } from './bulk-copy.js';
import { databaseRefusal } from './database-errors.js';
import type { EnquiryRow } from './database.js';
import { DEFAULT_CHAIN_WAIT_SECONDS, holdLock } from './chain-lock.js';

const BATCH = 2000;

export interface RestoreSummary {
  restored: number;
  firstSeq: number | null;
  lastSeq: number | null;
  headHash: string | null;
  /** How many restored entries each login recorded (entries from before logins were kept count under null's key, ""). */
  recordedBy: Record<string, number>;
}

function notRestorable(source: string, reason: string) {
  return inputError(
    'export-not-intact',
    { value: source, detail: reason },
    'nothing was written; restore from an intact, unfiltered export (cis-contact verify --export FILE says which)',
  );
}

/** An exported entry as its row: as exported (its time to the microsecond: the chain hashes that text), with its content hash. */
function contactRow(e: ChainedEntry): RestoredContactRow {
  const { enquiries: _, ...fields } = e;
  return { ...fields, contentHash: storedContentHash(e, e) };
}

export async function restoreHistory(
  store: Store,
  source: string,
  entries: AsyncIterable<ChainedEntry>,
  manifest: () => Manifest | undefined,
  signal?: AbortSignal,
): Promise<RestoreSummary> {
  const write = restoringWriter(store.copy);
  try {
    return await store.db.transaction(async (tx) => {
      await holdLock(tx, 'chain', { seconds: DEFAULT_CHAIN_WAIT_SECONDS, signal, location: store.location });
      const [held] = await rows<{ count: number }>(tx, sql`select count(*)::int as count from public.contacts`);
      if (held!.count > 0) {
        throw inputError(
          'store-not-empty',
          { value: store.location, limit: held!.count },
          'restore into a new --data-dir, or a new database',
        );
      }
      // The restored contacts were written by their own logins, not this one: the check that a contact is
      // recorded by the login writing it is off for this transaction only (an owner's right, so a restore needs one).
      await tx.execute(sql`alter table public.contacts disable trigger contacts_accountable`);
      const verifier = new ChainVerifier(true);
      let contacts: RestoredContactRow[] = [];
      let enquiries: EnquiryRow[] = [];
      const recordedBy: Record<string, number> = {};
      for await (const entry of entries) {
        verifier.add(entry);
        if (verifier.failed) break;
        recordedBy[entry.recordedBy ?? ''] = (recordedBy[entry.recordedBy ?? ''] ?? 0) + 1;
        contacts.push(contactRow(entry));
        for (const q of entry.enquiries) enquiries.push({ ...q, contactSeq: entry.seq });
        if (contacts.length >= BATCH) {
          if (signal?.aborted)
            throw interruptedError({
              value: `the restore of ${source}`,
              detail: 'before the end: nothing was written',
            });
          await write(tx, contacts, enquiries);
          contacts = [];
          enquiries = [];
        }
      }
      const promised = manifest();
      const report = verifier.finish(verifier.failed ? undefined : promised);
      if (!report.intact) throw notRestorable(source, report.failure!.reason);
      if (!promised) throw notRestorable(source, 'it has no manifest, so a truncated tail could not be ruled out');
      if (promised.filtered)
        throw notRestorable(source, 'it was exported with --from, --to or --utr, so it holds only part of the history');
      await write(tx, contacts, enquiries);
      await tx.execute(sql`alter table public.contacts enable always trigger contacts_accountable`);
      // New imports must not reuse the import run numbers the restored contacts carry.
      await tx.execute(sql`select setval(pg_get_serial_sequence('public.import_runs', 'id'), m.id)
        from (select max(import_run_id) as id from public.contacts) m where m.id is not null
          and m.id > coalesce((select max(id) from public.import_runs), 0)`);
      return {
        restored: report.checked,
        firstSeq: report.firstSeq,
        lastSeq: report.lastSeq,
        headHash: report.headHash,
        recordedBy,
      };
    });
  } catch (error) {
    const refusal = databaseRefusal(error);
    if (!refusal) throw error;
    throw inputError(
      'database-rejected',
      { value: 'the restored contacts', detail: refusal },
      'nothing was written; a contact must name a CIS record and an operator the store knows: load the registry and operators first (--registry FILE --operators FILE)',
    );
  }
}
