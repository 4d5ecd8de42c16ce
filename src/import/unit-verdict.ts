/**
 * What became of a unit (one contact's rows), decided from what the rules
 * said, what is stored under its contact_ref and what the writer found. Pure:
 * the import reads the file and the store, this decides.
 *
 * A row whose contact_ref is stored already is decided against what is
 * stored, whatever the rules say of it: the same content is a duplicate
 * (the writer finds its key with the same content); other content the
 * rules accept is `conflicts-with-recorded`; other content the rules refuse
 * is superseded, since the stored contact stands and there is nothing in
 * the row to fix. (A refused row cannot be compared with the stored contact
 * field by field: the rules made nothing to compare, so it is superseded.)
 */

import { type Issue, issue } from '../domain/catalogue.js';
import { partnersChangedDetail } from '../domain/identity.js';
import type { StoredContactRef } from '../domain/outcomes.js';
import type { UnitOutcome } from '../storage/history-writer.js';
import type { StoredUnderRef } from '../storage/stored-refs.js';

export type UnitVerdict =
  | { outcome: 'accepted'; stored: StoredContactRef[] }
  /** `warning`: one for each of its rows (`partners-changed`). */
  | { outcome: 'duplicate'; stored: StoredContactRef[]; warning?: Issue }
  | { outcome: 'superseded'; stored: StoredContactRef[] }
  /** `errors`: what storing found, added to each row's own. */
  | { outcome: 'rejected'; errors: Issue[] };

export interface UnitFacts {
  /** Refused by the rules (nothing was offered to the writer). */
  refused: boolean;
  /** For a refused unit with a contact_ref: the contacts stored under it. */
  storedUnderRef?: readonly StoredUnderRef[] | undefined;
  /** What the writer made of a unit the rules passed: its outcome, or the database's refusal. */
  written?: UnitOutcome | Issue | undefined;
  /** The unit repeats an earlier contact of the file, row for row. */
  repeat: boolean;
  dryRun: boolean;
  strict: boolean;
}

const refsOf = (stored: readonly { seq: number; sourceKey: string }[]): StoredContactRef[] =>
  stored.map(({ seq, sourceKey }) => ({ seq, sourceKey }));

/** The verdict on a unit; a refused unit with nothing stored under its ref is rejected with its own errors. */
export function unitVerdict(facts: UnitFacts): UnitVerdict {
  const { written } = facts;
  if (facts.refused || written === undefined) {
    const stored = facts.storedUnderRef ?? [];
    return stored.length > 0 ? { outcome: 'superseded', stored: refsOf(stored) } : { outcome: 'rejected', errors: [] };
  }
  if ('code' in written) return { outcome: 'rejected', errors: [written] };
  if (written.status === 'conflict') {
    return {
      outcome: 'rejected',
      errors: [
        issue('conflicts-with-recorded', { field: 'contact_ref', value: written.sourceKey, detail: written.detail }),
      ],
    };
  }
  if (written.status === 'duplicate') {
    if (!written.partnersAdded) return { outcome: 'duplicate', stored: refsOf(written.stored) };
    const changed = issue('partners-changed', {
      field: 'partners',
      detail: partnersChangedDetail(written.partnersAdded),
    });
    return facts.strict
      ? { outcome: 'rejected', errors: [changed] }
      : { outcome: 'duplicate', stored: refsOf(written.stored), warning: changed };
  }
  // A dry run stores nothing, so a repeat of a contact in an earlier batch is not found: it is a duplicate all the same.
  if (facts.dryRun && facts.repeat) return { outcome: 'duplicate', stored: [] };
  return { outcome: 'accepted', stored: refsOf(written.stored) };
}
