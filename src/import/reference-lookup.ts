/** Fetches the registry entries and operators a set of contacts names, for the pure rules to consult. */

import type { RawContact, ReferenceLookup } from '../domain/contact.js';
import { referencedKeys } from '../domain/contact.js';
import type { Executor } from '../storage/database.js';
import { findOperators, findRecords } from '../storage/reference-repository.js';

export async function lookupFor(executor: Executor, raws: readonly Pick<RawContact, 'utr' | 'partners' | 'operator_pid'>[]): Promise<ReferenceLookup> {
  const utrs: string[] = [];
  const pids: string[] = [];
  for (const raw of raws) {
    const keys = referencedKeys(raw);
    utrs.push(...keys.utrs);
    pids.push(...keys.pids);
  }
  const [records, operators] = await Promise.all([findRecords(executor, utrs), findOperators(executor, pids)]);
  return { record: (utr) => records.get(utr), operator: (pid) => operators.get(pid) };
}
