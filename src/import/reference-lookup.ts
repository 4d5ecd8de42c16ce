/** Fetches the registry entries and operators a set of contacts names, for the pure rules to consult. */

import type { OperatorEntry, RawContact, ReferenceLookup, RegistryEntry, Writer } from '../domain/contact.js';
import { referencedKeys } from '../domain/contact.js';
import type { Database } from '../storage/database.js';
import { currentWriter, findOperators, findRecords } from '../storage/reference-repository.js';

type Named = Pick<RawContact, 'utr' | 'partners' | 'operator_pid'>;

export async function lookupFor(db: Database, raws: readonly Named[]): Promise<ReferenceLookup> {
  return new ReferenceCache(db).lookupFor(raws);
}

/**
 * Reference data for a whole import: each UTR and PID is fetched once, then
 * answered from memory. Bounded: past `limit` entries it starts afresh.
 * Absent keys are remembered too, so unknown records cost one query each.
 */
export class ReferenceCache {
  private records = new Map<string, RegistryEntry | null>();
  private operators = new Map<string, OperatorEntry | null>();
  private writer: Writer | undefined;

  constructor(
    private readonly db: Database,
    private readonly limit = 200_000,
  ) {}

  async lookupFor(raws: readonly Named[]): Promise<ReferenceLookup> {
    if (this.records.size + this.operators.size > this.limit) {
      this.records = new Map();
      this.operators = new Map();
    }
    const utrs = new Set<string>();
    const pids = new Set<string>();
    for (const raw of raws) {
      const keys = referencedKeys(raw);
      for (const u of keys.utrs) if (!this.records.has(u)) utrs.add(u);
      for (const p of keys.pids) if (!this.operators.has(p)) pids.add(p);
    }
    // One transaction for the three, sent together: each statement outside one would be a transaction of its
    // own (transaction-settings.ts), and a `record` asks them all.
    const [records, operators, writer] = await this.db.transaction((tx) =>
      Promise.all([
        utrs.size > 0 ? findRecords(tx, [...utrs]) : new Map<string, RegistryEntry>(),
        pids.size > 0 ? findOperators(tx, [...pids]) : new Map<string, OperatorEntry>(),
        this.writer ?? currentWriter(tx),
      ]),
    );
    this.writer = writer;
    for (const u of utrs) this.records.set(u, records.get(u) ?? null);
    for (const p of pids) this.operators.set(p, operators.get(p) ?? null);
    const recordMap = this.records;
    const operatorMap = this.operators;
    return {
      record: (utr) => recordMap.get(utr) ?? undefined,
      operator: (pid) => operatorMap.get(pid) ?? undefined,
      writer,
    };
  }
}
