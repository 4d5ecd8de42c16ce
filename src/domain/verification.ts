/**
 * Recomputes the audit chain over entries in `seq` order, and names the
 * first entry that does not match. An export's entries are put in canonical
 * form with the RFC 8785 library; the database's come with the canonical
 * text it wrote from its stored columns.
 */

import { type ChainEntry, GENESIS_HASH, canonicalEntryByLibrary } from './audit.js';
import { sha256Hex } from './identity.js';

export interface ChainedEntry extends ChainEntry {
  prevHash: string;
  hash: string;
}

export interface Manifest {
  count: number;
  firstSeq: number | null;
  lastSeq: number | null;
  headHash: string | null;
  /** An export restricted by --from/--to/--utr holds only some entries: gaps are expected. */
  filtered: boolean;
}

export interface ChainFailure {
  seq: number | null;
  reason: string;
}

export interface ChainReport {
  intact: boolean;
  checked: number;
  firstSeq: number | null;
  lastSeq: number | null;
  headHash: string | null;
  failure: ChainFailure | null;
}

/** What the chain links an entry by. */
export interface ChainLink {
  seq: number;
  sourceKey: string;
  prevHash: string;
  hash: string;
}

export class ChainVerifier {
  private previous: ChainLink | undefined;
  private first: number | null = null;
  private count = 0;
  private failure: ChainFailure | null = null;
  /** Where the entries first break the whole chain's shape (a gap, or a start other than 1). */
  private firstGap: ChainFailure | null = null;

  /** `complete`: the entries are the whole chain, so it starts at 1 and has no gaps. */
  constructor(private readonly complete: boolean) {}

  get failed(): boolean {
    return this.failure !== null;
  }

  /** Checks one entry, recomputing its canonical form with the RFC 8785 library; after the first failure the rest are not checked. */
  add(entry: ChainedEntry): void {
    if (this.failure) return;
    this.addCanonical(entry, canonicalEntryByLibrary(entry));
  }

  /** Checks one entry whose canonical text is given (the database wrote it from the stored columns). */
  addCanonical(entry: ChainLink, canonical: string): void {
    if (this.failure) return;
    this.count++;
    this.first ??= entry.seq;
    const previous = this.previous;
    const fail = (reason: string) => {
      this.failure = { seq: entry.seq, reason };
    };
    if (previous && entry.seq <= previous.seq) {
      return fail(`entry ${entry.seq} comes after entry ${previous.seq}: entries are out of order`);
    }
    const expected = previous ? previous.seq + 1 : 1;
    if (!this.firstGap && entry.seq !== expected) {
      this.firstGap = { seq: entry.seq, reason: `entry ${expected} is missing: the next entry is ${entry.seq}` };
    }
    if (!this.firstGap && !previous && entry.prevHash !== GENESIS_HASH) {
      this.firstGap = { seq: entry.seq, reason: `entry ${entry.seq} is the first entry but its prev_hash is not 64 zeros` };
    }
    if (this.complete && this.firstGap) {
      this.failure = this.firstGap;
      return;
    }
    if (previous && entry.seq === previous.seq + 1 && entry.prevHash !== previous.hash) {
      return fail(`entry ${entry.seq}: its prev_hash is not the hash of entry ${previous.seq} (an entry was changed, replaced or reordered)`);
    }
    const computed = sha256Hex(entry.prevHash + canonical);
    if (computed !== entry.hash) {
      return fail(`entry ${entry.seq} (source key ${entry.sourceKey}) does not match its hash: its content was changed`);
    }
    this.previous = entry;
  }

  /** The result; with a manifest, the entries must be all it promises. */
  finish(manifest?: Manifest): ChainReport {
    // An unfiltered export, like the database, must be the whole chain.
    if (!this.failure && manifest && !manifest.filtered && this.firstGap) this.failure = this.firstGap;
    if (!this.failure && manifest) {
      const last = this.previous;
      if (manifest.count !== this.count || manifest.lastSeq !== (last?.seq ?? null) || manifest.headHash !== (last?.hash ?? null)) {
        this.failure = {
          seq: last?.seq ?? null,
          reason: `the manifest promises ${manifest.count} entries ending at entry ${manifest.lastSeq} (head ${manifest.headHash}), `
            + `but ${this.count} were found, ending at ${last ? `entry ${last.seq}` : 'nothing'}: the export was truncated or altered`,
        };
      } else if (manifest.firstSeq !== this.first) {
        this.failure = { seq: this.first, reason: `the manifest says the first entry is ${manifest.firstSeq}, but it is ${this.first}` };
      }
    }
    return {
      intact: this.failure === null,
      checked: this.count,
      firstSeq: this.first,
      lastSeq: this.previous?.seq ?? null,
      headHash: this.previous?.hash ?? null,
      failure: this.failure,
    };
  }
}
