/**
 * Whether a filtered export holds every entry it should. Its own chain cannot
 * say: a filtered export has gaps by design, so a contact cut from it (and
 * from its manifest's count) leaves a file whose every entry still checks
 * out. Only the store knows which entries its filter selected; with the
 * store to hand, both are walked in `seq` order side by side (a page of the
 * store at a time, the file read again), so memory stays flat however long
 * either is. Without it, the entries are still held to the filter their
 * manifest names.
 */

import type { Session } from './session.js';
import { CisError, inputError, interruptedError } from '../domain/errors.js';
import {
  type ChainVerifier,
  type Manifest,
  type ManifestFilter,
  filterFlags,
  filterSelects,
  manifestFilter,
} from '../domain/verification.js';
import { openExport } from '../outputs/export-reader.js';
import type { Store } from '../storage/database.js';
import { type ChainValues, chainValuesInOrder, storeIdentity } from '../storage/history-reader.js';
import { reading } from './reading.js';

export interface Completeness {
  /** Whether the store was asked: only then can the export be shown complete. */
  shown: boolean;
  /** What was shown, or why nothing could be, in a reader's words. */
  said: string;
}

/** Why a filtered export from before manifests named their filter cannot be shown complete, with or without a store. */
export const UNNAMED_FILTER =
  'its manifest does not name the filter that made it (an earlier version wrote it), so no store can say which entries it should hold; export it again to check that';

/**
 * The store at hand, if there is one: the server the options name, or an
 * embedded store that already exists in the data directory (never made
 * here). A place that holds no store is not an error: the check is then
 * made without it. A server that cannot be reached is, as for any reading
 * command: the user named it.
 */
async function storeToHand(session: Session): Promise<Store | { none: string }> {
  try {
    return await session.store({ create: false });
  } catch (error) {
    if (error instanceof CisError && error.code === 'no-store')
      return { none: `there is no cis-contact store at ${session.location}` };
    throw error;
  }
}

/** A store whose first entry is not the one the manifest names is not the export's store: it cannot say what the export should hold. */
async function assertSameStore(store: Store, path: string, manifest: Manifest): Promise<void> {
  if (typeof manifest.store !== 'string') return;
  const identity = await storeIdentity(store.db);
  if (identity === manifest.store) return;
  throw inputError(
    'export-other-store',
    {
      value: path,
      detail: `its manifest names the store whose first entry has the hash ${manifest.store}, and the store at ${store.location} ${identity ? `has ${identity}` : 'holds no entry'}`,
    },
    'verify it with the store it was exported from (--database-url, or --data-dir), or without one to check its entries alone; ' +
      "if this is its store, the store's first entry itself was rewritten",
  );
}

/**
 * Checks a filtered export's entries against the filter its manifest names
 * and, with the store to hand, against the entries the store holds for that
 * filter up to the store's last entry when the export began: each one the
 * store holds and the export lacks is named as `missing`, with its writer.
 */
export async function checkCompleteness(
  session: Session,
  path: string,
  manifestPath: string | undefined,
  manifest: Manifest,
  verifier: ChainVerifier,
): Promise<Completeness> {
  const filter = manifestFilter(manifest);
  if (filter && 'unreadable' in filter) {
    throw inputError(
      'file-unreadable',
      { value: `the manifest of ${path}`, detail: filter.unreadable },
      'a manifest is the one line {"manifest":{...}} that export wrote',
    );
  }
  if (!filter) {
    return { shown: false, said: UNNAMED_FILTER };
  }
  const flags = filterFlags(filter);
  const store = await storeToHand(session);
  if ('none' in store) {
    await walk(session, path, manifestPath, filter, verifier, undefined);
    return {
      shown: false,
      said:
        `a filtered export (${flags}) holds only some entries, and ${store.none} to ask which it should hold; ` +
        'run verify --export with its store to hand (--database-url, or --data-dir) to show that none is missing',
    };
  }
  let checked = 0;
  const howFar = () =>
    `the verify is incomplete: ${checked} entries of the store compared with the export, no verdict reached`;
  await reading(
    session,
    async () => {
      await assertSameStore(store, path, manifest);
      await walk(session, path, manifestPath, filter, verifier, { store, counted: () => checked++ });
    },
    howFar,
  );
  return {
    shown: true,
    said: `the store at ${store.location} holds no other entry for this filter (${flags}) up to entry ${filter.through}, its last when the export began`,
  };
}

/** The export's entries in `seq` order, each held to the filter and, given a store, to the store's entries for it. */
async function walk(
  session: Session,
  path: string,
  manifestPath: string | undefined,
  filter: ManifestFilter,
  verifier: ChainVerifier,
  against: { store: Store; counted: () => void } | undefined,
): Promise<void> {
  const flags = filterFlags(filter);
  const file = await openExport(path, manifestPath);
  const stored = against
    ? chainValuesInOrder(against.store.db, {
        utr: filter.utr ?? undefined,
        from: filter.from ?? undefined,
        to: filter.to ?? undefined,
        through: filter.through,
      })
    : undefined;
  let next: ChainValues | undefined;
  const advance = async () => {
    const r = await stored?.next();
    next = r && !r.done ? r.value : undefined;
    if (next) against!.counted();
  };
  const missing = (s: ChainValues) =>
    verifier.fail(
      s,
      'missing',
      `entry ${s.seq} (source key ${s.sourceKey}) is one the store holds for this export's filter (${flags}), but the export does not hold it`,
    );
  try {
    await advance();
    let last = 0;
    for await (const e of file.entries) {
      // One out of order is reported by the chain check; it is passed over here.
      if (e.seq <= last) continue;
      last = e.seq;
      const selected = filterSelects(filter, e);
      if (!selected) {
        verifier.fail(
          e,
          'altered',
          `entry ${e.seq} (source key ${e.sourceKey}) is not one its manifest's filter (${flags}) selects: the export or its manifest was changed`,
        );
      }
      while (next && next.seq < e.seq) {
        missing(next);
        await advance();
      }
      if (against && next?.seq === e.seq) {
        if (selected && next.hash !== e.hash) {
          verifier.fail(
            e,
            'altered',
            `entry ${e.seq} (source key ${e.sourceKey}) is not the store's entry ${e.seq}: its hash is ${e.hash} in the export and ${next.hash} in the store, ` +
              'so the export was changed, or the store was rewritten since the export was made',
          );
        }
        await advance();
      } else if (against && selected) {
        verifier.fail(
          e,
          'altered',
          `entry ${e.seq} (source key ${e.sourceKey}) is in the export, but the store holds no entry ${e.seq} that the filter (${flags}) selects: ` +
            'the export was changed, or the store was rewritten since the export was made',
        );
      }
      if (session.signal.aborted)
        throw interruptedError({ value: 'verify', detail: `at entry ${e.seq}, before a verdict` });
    }
    while (next) {
      missing(next);
      await advance();
    }
  } finally {
    await stored?.return(undefined);
  }
}
