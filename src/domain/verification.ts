/**
 * Recomputes the audit chain over entries in `seq` order and names every
 * entry that does not match, going on past a bad one: one altered row must
 * not hide the rest. An export's entries are put in canonical form with the
 * RFC 8785 library; the database's come with the canonical text it wrote
 * from its stored columns. Checkpoints kept outside the store (a verify's
 * checkpoint line, an export's manifest) pin the hash an entry had then, so
 * a history rewritten and re-chained since cannot pass.
 */

import { GENESIS_HASH, canonicalEntryByLibrary } from './audit.js';
import type { ChainedEntry } from './layout.js';

export type { ChainedEntry };
import { sha256Hex } from './identity.js';
import { inputError } from './errors.js';

/**
 * What made a filtered export: its --utr, --from and --to (null where not
 * given), and `through`, the store's last entry when it began. The export
 * holds every entry of the store that the filter selects up to `through`.
 */
export interface ManifestFilter {
  utr: string | null;
  from: string | null;
  to: string | null;
  through: number;
}

export interface Manifest {
  count: number;
  firstSeq: number | null;
  lastSeq: number | null;
  headHash: string | null;
  /** An export restricted by --from/--to/--utr holds only some entries: gaps are expected. */
  filtered: boolean;
  /** The filter that made a filtered export. Absent on unfiltered ones and on manifests written before it was kept. */
  filter?: ManifestFilter;
  /** The store it came from: the hash of its first entry, which a restore keeps. Absent on older manifests; null for an empty store. */
  store?: string | null;
}

/** What an entry's hash was when a checkpoint was taken, and where the checkpoint came from. */
export interface Checkpoint {
  seq: number;
  hash: string;
  source: string;
  /** The store it was taken of: the hash of its first entry. Absent on checkpoints written before stores were named. */
  store?: string | undefined;
}

/** `forbidden`: the entry's chain holds, but it holds what the tool and the database refuse (stored before they did). */
export type FailureKind = 'altered' | 'missing' | 'out-of-order' | 'broken-link' | 'rewritten' | 'forbidden';

export interface ChainFailure {
  seq: number | null;
  sourceKey: string | null;
  kind: FailureKind;
  /** The login that wrote the entry, where it is known. */
  recordedBy: string | null;
  reason: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const UTR = /^\d{10}$/;

/** A filtered export's filter as its manifest states it; undefined when it states none, or why it cannot be read. */
export function manifestFilter(manifest: Manifest): ManifestFilter | undefined | { unreadable: string } {
  const f = manifest.filter as unknown;
  if (!manifest.filtered || f === undefined) return undefined;
  if (!f || typeof f !== 'object' || Array.isArray(f)) return { unreadable: 'its filter is not a JSON object' };
  const { utr, from, to, through } = f as Record<string, unknown>;
  if (!(utr === null || (typeof utr === 'string' && UTR.test(utr))))
    return { unreadable: "its filter's utr is not 10 digits or null" };
  for (const [name, date] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (!(date === null || (typeof date === 'string' && DATE.test(date))))
      return { unreadable: `its filter's ${name} is not a date (YYYY-MM-DD) or null` };
  }
  if (!(typeof through === 'number' && Number.isSafeInteger(through) && through >= (manifest.lastSeq ?? 0))) {
    return { unreadable: "its filter's through is not a whole number at or after its last entry" };
  }
  return { utr: utr, from: from as string | null, to: to as string | null, through };
}

/** The filter in the words of export's flags: `--utr 1955839661 --from 2019-01-01`. */
export function filterFlags(filter: ManifestFilter): string {
  const flags = [
    ['--utr', filter.utr],
    ['--from', filter.from],
    ['--to', filter.to],
  ]
    .filter(([, v]) => v !== null)
    .map(([f, v]) => `${f} ${v}`);
  return flags.length > 0 ? flags.join(' ') : 'no filter';
}

/** Whether an entry is one the filter selects (as export selects them). */
export function filterSelects(
  filter: ManifestFilter,
  entry: { seq: number; utr: string; partnershipUtr: string | null; enquiryDate: string },
): boolean {
  return (
    entry.seq <= filter.through &&
    (filter.utr === null || entry.utr === filter.utr || entry.partnershipUtr === filter.utr) &&
    (filter.from === null || entry.enquiryDate >= filter.from) &&
    (filter.to === null || entry.enquiryDate <= filter.to)
  );
}

/** At most this many failures are listed; all are counted. */
export const FAILURES_LISTED = 100;

export interface ChainReport {
  intact: boolean;
  checked: number;
  firstSeq: number | null;
  lastSeq: number | null;
  headHash: string | null;
  /** The first failure, or null. */
  failure: ChainFailure | null;
  /** The first FAILURES_LISTED failures, in the order found. */
  failures: ChainFailure[];
  failureCount: number;
  /** How many checkpoints were held against the entries, and how many matched. */
  checkpoints: { given: number; matched: number };
}

/** What the chain links an entry by. */
export interface ChainLink {
  seq: number;
  sourceKey: string;
  prevHash: string;
  hash: string;
  /** Absent or null on entries stored before writers were kept. */
  recordedBy?: string | null | undefined;
}

/** Whom a failure is about. */
type Blame = { seq: number | null; sourceKey: string | null; recordedBy?: string | null | undefined };

export class ChainVerifier {
  private previous: ChainLink | undefined;
  private first: number | null = null;
  private count = 0;
  private readonly listed: ChainFailure[] = [];
  private failureCount = 0;
  private anyMissing = false;
  /** Where the entries first break the whole chain's shape (a gap, or a start other than 1). */
  private firstGap: ChainFailure | null = null;
  private readonly checkpoints = new Map<number, Checkpoint>();
  private checkpointsMatched = 0;
  private rewriteFound = false;
  /** The store the entries are of: the hash of entry 1, once seen (or a manifest's word for a filtered export). */
  private identity: string | undefined;

  /**
   * `complete`: the entries are the whole chain, so it starts at 1 and has no gaps.
   * `checkpoints`: hashes entries had when each was taken; the earliest that differs is reported.
   */
  constructor(
    private readonly complete: boolean,
    checkpoints: readonly Checkpoint[] = [],
  ) {
    for (const c of checkpoints) {
      const held = this.checkpoints.get(c.seq);
      if (held && held.hash !== c.hash) {
        this.fail(null, 'rewritten', `checkpoints ${held.source} and ${c.source} disagree about entry ${c.seq}`);
      }
      this.checkpoints.set(c.seq, c);
    }
  }

  get failed(): boolean {
    return this.failureCount > 0;
  }

  /** Whether an entry was found missing (so the entries are known not to be complete). */
  get missingFound(): boolean {
    return this.anyMissing;
  }

  /** Records a failure found outside the chain walk too (an enquiry without its contact, say). */
  fail(entry: Blame | null, kind: FailureKind, reason: string): void {
    this.failureCount++;
    if (kind === 'missing') this.anyMissing = true;
    if (this.listed.length < FAILURES_LISTED) {
      this.listed.push({
        seq: entry?.seq ?? null,
        sourceKey: entry?.sourceKey ?? null,
        kind,
        recordedBy: entry?.recordedBy ?? null,
        reason,
      });
    }
  }

  /** Checks one entry, recomputing its canonical form with the RFC 8785 library. */
  add(entry: ChainedEntry): void {
    this.addCanonical(entry, canonicalEntryByLibrary(entry));
  }

  /** Checks one entry whose canonical text is given (the database wrote it from the stored columns). */
  addCanonical(entry: ChainLink, canonical: string): void {
    const previous = this.previous;
    if (previous && entry.seq <= previous.seq) {
      this.fail(
        entry,
        'out-of-order',
        `entry ${entry.seq} comes after entry ${previous.seq}: entries are out of order`,
      );
      return;
    }
    this.count++;
    this.first ??= entry.seq;
    if (entry.seq === 1) this.identity = entry.hash;
    const expected = previous ? previous.seq + 1 : 1;
    let gap: ChainFailure | null = null;
    if (entry.seq !== expected) {
      const missing =
        entry.seq - 1 === expected
          ? `entry ${expected} is missing`
          : `entries ${expected} to ${entry.seq - 1} are missing`;
      gap = {
        seq: entry.seq,
        sourceKey: entry.sourceKey,
        kind: 'missing',
        recordedBy: null,
        reason: `${missing}: the next entry is ${entry.seq}`,
      };
    } else if (!previous && entry.prevHash !== GENESIS_HASH) {
      gap = {
        seq: entry.seq,
        sourceKey: entry.sourceKey,
        kind: 'broken-link',
        recordedBy: entry.recordedBy ?? null,
        reason: `entry ${entry.seq} is the first entry but its prev_hash is not 64 zeros`,
      };
    }
    if (gap) {
      if (this.complete) this.fail(gap, gap.kind, gap.reason);
      else this.firstGap ??= gap;
    }
    if (previous && entry.seq === previous.seq + 1 && entry.prevHash !== previous.hash) {
      this.fail(
        entry,
        'broken-link',
        `entry ${entry.seq}: its prev_hash is not the hash of entry ${previous.seq} (an entry was changed, replaced or reordered)`,
      );
    }
    if (sha256Hex(entry.prevHash + canonical) !== entry.hash) {
      this.fail(
        entry,
        'altered',
        `entry ${entry.seq} (source key ${entry.sourceKey}) does not match its hash: its content was changed`,
      );
    }
    this.holdToCheckpoint(entry);
    // The next entry links to what this one says its hash is, so one bad entry is reported once.
    this.previous = entry;
  }

  private holdToCheckpoint(entry: ChainLink): void {
    const checkpoint = this.checkpoints.get(entry.seq);
    if (!checkpoint) return;
    this.sameStore(checkpoint);
    if (checkpoint.hash === entry.hash) {
      this.checkpointsMatched++;
    } else if (!this.rewriteFound) {
      // Every later checkpoint differs too once one entry is rewritten and re-chained: the earliest says where.
      this.rewriteFound = true;
      // Who rewrote it is not in the store (a rewrite by its owner or a superuser leaves no writer): the entry's own writer is named as such.
      const by = entry.recordedBy ? `, recorded by ${entry.recordedBy},` : '';
      this.fail(
        entry,
        'rewritten',
        `entry ${entry.seq} (${entry.sourceKey})${by} was rewritten after the checkpoint; the store cannot say by whom. ` +
          `Checkpoint ${checkpoint.source} recorded its hash as ${checkpoint.hash}; it is now ${entry.hash}${this.lastMatchedBefore(entry.seq)}`,
      );
    }
  }

  private lastMatchedBefore(seq: number): string {
    let best: number | undefined;
    for (const s of this.checkpoints.keys()) if (s < seq && (best === undefined || s > best)) best = s;
    return best === undefined ? '' : `; entry ${best} still matches its checkpoint`;
  }

  /** A checkpoint of another store says nothing about this one: refused as such, never reported as a rewrite. */
  private sameStore(checkpoint: Checkpoint): void {
    if (checkpoint.store === undefined || this.identity === undefined || checkpoint.store === this.identity) return;
    throw inputError(
      'checkpoint-other-store',
      {
        value: checkpoint.source,
        detail: `it names the store whose first entry has the hash ${checkpoint.store}, and these entries' first entry has the hash ${this.identity}`,
      },
      'give a checkpoint or manifest taken of this store (each names its store by its first entry, which a db restore keeps); ' +
        "if it is this store's, its first entry itself was rewritten",
    );
  }

  /** The result; with a manifest, the entries must be all it promises. */
  finish(manifest?: Manifest): ChainReport {
    // A filtered export may not hold entry 1: its manifest names the store.
    if (this.identity === undefined && typeof manifest?.store === 'string') this.identity = manifest.store;
    for (const c of this.checkpoints.values()) this.sameStore(c);
    // An unfiltered export, like the database, must be the whole chain.
    if (manifest && !manifest.filtered && this.firstGap)
      this.fail(this.firstGap, this.firstGap.kind, this.firstGap.reason);
    const last = this.previous;
    if (manifest) {
      if (
        manifest.count !== this.count ||
        manifest.lastSeq !== (last?.seq ?? null) ||
        manifest.headHash !== (last?.hash ?? null)
      ) {
        this.fail(
          last ?? null,
          'missing',
          `the manifest promises ${manifest.count} entries ending at entry ${manifest.lastSeq} (head ${manifest.headHash}), ` +
            `but ${this.count} were found, ending at ${last ? `entry ${last.seq}` : 'nothing'}: the export was truncated or altered`,
        );
      } else if (manifest.firstSeq !== this.first) {
        this.fail(
          null,
          'missing',
          `the manifest says the first entry is ${manifest.firstSeq}, but it is ${this.first}`,
        );
      }
    }
    for (const c of this.checkpoints.values()) {
      if (last === undefined || c.seq > last.seq) {
        this.fail(
          null,
          'missing',
          `checkpoint ${c.source} records entry ${c.seq}, but the entries end at ${last ? `entry ${last.seq}` : 'nothing'}: entries were removed`,
        );
      }
    }
    return {
      intact: this.failureCount === 0,
      checked: this.count,
      firstSeq: this.first,
      lastSeq: last?.seq ?? null,
      headHash: last?.hash ?? null,
      failure: this.listed[0] ?? null,
      failures: this.listed,
      failureCount: this.failureCount,
      checkpoints: { given: this.checkpoints.size, matched: this.checkpointsMatched },
    };
  }
}
