/**
 * Keys for rows brought back through a rejects file without a contact_ref.
 *
 * In the first file such a row would have been keyed by its fingerprint and
 * its occurrence there; rejected, it had no fingerprint, and the rows of the
 * first file that were stored took the occurrences without it. So the
 * occurrence a corrected row takes is the next one of its fingerprint that is
 * not stored yet, and the claim (fingerprint and first-file line, see
 * storage/correction-claims.ts) makes it the same occurrence every time the row
 * comes back. Three identical rows of which the third was wrong end as
 * occurrences 1, 2 and 3, as a right-first-time import stores them.
 */

import type { Executor } from '../storage/database.js';
import { claimName, loadClaims, storedKeys } from '../storage/correction-claims.js';

export interface CorrectedRow {
  fingerprint: string;
  /** The row's line in the very first file. */
  sourceLine: number;
  /** The source key occurrence `n` is stored under (a partnership's: its first partner's). */
  storedKeyOf: (occurrence: number) => string;
}

export interface Occurrence {
  occurrence: number;
  /** Claimed now, by this import: to be recorded with the contact. */
  fresh?: { name: string; occurrence: number };
}

/** Occurrences looked up at a time, per fingerprint. */
const PROBE = 8;

export class CorrectedRowKeys {
  private claims: Map<string, number> | undefined;
  private readonly highestClaimed = new Map<string, number>();
  /** Per fingerprint, the next occurrence this import hands out. */
  private readonly next = new Map<string, number>();

  constructor(private readonly db: Executor) {}

  async occurrences(rows: readonly CorrectedRow[]): Promise<Occurrence[]> {
    const claims = await this.loaded();
    const unknown = new Map<string, CorrectedRow>();
    for (const r of rows) {
      if (!claims.has(claimName(r.fingerprint, r.sourceLine)) && !this.next.has(r.fingerprint))
        unknown.set(r.fingerprint, r);
    }
    await this.probe([...unknown.values()]);
    return rows.map((r) => {
      const name = claimName(r.fingerprint, r.sourceLine);
      const claimed = claims.get(name);
      if (claimed !== undefined) return { occurrence: claimed };
      const occurrence = this.next.get(r.fingerprint)!;
      this.next.set(r.fingerprint, occurrence + 1);
      claims.set(name, occurrence);
      return { occurrence, fresh: { name, occurrence } };
    });
  }

  private async loaded(): Promise<Map<string, number>> {
    if (!this.claims) {
      this.claims = await loadClaims(this.db);
      for (const [name, occurrence] of this.claims) {
        const fingerprint = name.slice(0, name.lastIndexOf('@'));
        this.highestClaimed.set(fingerprint, Math.max(occurrence, this.highestClaimed.get(fingerprint) ?? 0));
      }
    }
    return this.claims;
  }

  /** The highest occurrence stored of each fingerprint, PROBE at a time. */
  private async probe(rows: CorrectedRow[]): Promise<void> {
    const highest = new Map<string, number>();
    for (let from = 1; rows.length > 0; from += PROBE) {
      const keys = rows.flatMap((r) => Array.from({ length: PROBE }, (_, k) => r.storedKeyOf(from + k)));
      const stored = await storedKeys(this.db, keys);
      const again: CorrectedRow[] = [];
      for (const r of rows) {
        for (let k = 0; k < PROBE; k++) if (stored.has(r.storedKeyOf(from + k))) highest.set(r.fingerprint, from + k);
        if (highest.get(r.fingerprint) === from + PROBE - 1) again.push(r);
        else
          this.next.set(
            r.fingerprint,
            Math.max(highest.get(r.fingerprint) ?? 0, this.highestClaimed.get(r.fingerprint) ?? 0) + 1,
          );
      }
      rows = again;
    }
  }
}
