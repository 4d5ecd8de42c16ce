/**
 * Bulk import of a contact log: rows -> units ->
 * batches -> storage. Rows stream through (a large file is read and parsed on
 * a worker thread); each batch of units is checked by the pure rules, then
 * appended in one transaction with COPY while the next batch is read and
 * checked. A unit is written whole or not at all; every row ends as exactly
 * one of accepted, duplicate, superseded or rejected (unit-verdict.ts).
 */

import { basename } from 'node:path';
import { sql } from 'drizzle-orm';
import { type Issue, issue } from '../domain/catalogue.js';
import {
  type Contact,
  type ContactTarget,
  type RawContact,
  type ReferenceLookup,
  type RuleSettings,
  checkContact,
  differingContactFields,
  maskedNumbers,
} from '../domain/contact.js';
import { contentHashes, fingerprintKey, sourceKey, unitFingerprint } from '../domain/identity.js';
import type { CsvFormat } from '../csv/reader.js';
import { readCsvChunksAhead } from '../csv/reader-thread.js';
import { CisError } from '../domain/errors.js';
import { type ColumnMap, firstFileLineReader } from '../csv/header.js';
import { type FileSnapshot, assertUnchanged } from '../csv/file-snapshot.js';
import type { Store } from '../storage/database.js';
import type { ContactImportSummary, ImportProgress } from '../domain/outcomes.js';
import { databaseRefusal, refusalIssue } from '../storage/database-errors.js';
import {
  type AppendOptions,
  type PreparedUnit,
  type UnitOutcome,
  appendUnits,
  insertRows,
} from '../storage/history-writer.js';
import { importRuns } from '../storage/schema.js';
import { startImportRun } from '../storage/import-runs.js';
import type { ChainWait } from '../storage/chain-lock.js';
import { provenanceOf, recordClaims, summaryKeepingClaims } from '../storage/correction-claims.js';
import { type StoredUnderRef, storedUnderRefs } from '../storage/stored-refs.js';
import { CompactIndex, OccurrenceCounter } from './compact-index.js';
import { type UnitVerdict, unitVerdict } from './unit-verdict.js';
import { RowListings } from './row-listings.js';
import { type LogRow, type LogUnit, logField, logRows, logUnits, rawContactOf } from './contact-log.js';
import { ReferenceCache } from './reference-lookup.js';
import { prepareUnit } from './units.js';
import { CorrectedRowKeys, type Occurrence } from './corrected-row-keys.js';

/**
 * Units checked between two turns of the event loop: the batch being written
 * waits on the database's answers, and a long stretch of checking would keep
 * them waiting (measured: a 70 ms check held up each batch's key look-up).
 */
const CHECK_SLICE = 32;

export interface ContactImportOptions {
  file: string;
  format: CsvFormat;
  map: ColumnMap;
  /** Where rejected rows go; none in a dry run not told where. */
  rejectsPath?: string | undefined;
  /** Where the accepted rows that carried warnings go, in the rejects file's shape (`--warnings`). */
  warningsPath?: string | undefined;
  /** Where the outcome of every row goes (`--outcomes`). */
  outcomesPath?: string | undefined;
  rejectsAlways: boolean;
  dryRun: boolean;
  /** Keep a leading `'` that a spreadsheet's formula guard would be (the file never went through one). */
  keepApostrophes?: boolean;
  settings: RuleSettings;
  /** Rows per batch transaction. */
  batchRows?: number;
  onProgress?: (progress: ImportProgress) => void;
  /** Once aborted, no further batch starts; those in hand are finished and accounted. */
  signal?: AbortSignal;
  /** How each batch waits for the chain (a signal ends the wait, with nothing of the batch stored). */
  chain?: ChainWait;
  /** The file as the whole-file check found it: no batch starts once it has changed. */
  unchanged?: FileSnapshot | undefined;
}

/**
 * An import that grew the history this much leaves the planner statistics
 * that describe it, as bulk loaders do: stale ones made the next export plan
 * for hundreds of enquiries a contact. Small imports skip it.
 */
const ANALYZE_AFTER_CONTACTS = 10_000;

async function refreshPlannerStatistics(store: Store): Promise<void> {
  try {
    await store.db.execute(sql`analyze public.contacts, public.enquiries`);
  } catch {
    // Only the tables' owner may analyze them; autovacuum will, in its own time.
  }
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** How a step in flight ended: undefined, or what it threw (kept to be thrown where the import waits for it). */
type Failure = { error: unknown } | undefined;

/** A step's failure as a value, so it is thrown when the import next waits for the step, not reported as unhandled before. */
const failureOf = (step: Promise<void>): Promise<Failure> =>
  step.then(
    () => undefined,
    (error: unknown) => ({ error }),
  );

function throwFailure(failure: Failure): void {
  if (failure) throw failure.error;
}

/** A contact without a contact_ref brought back through a rejects file: its key waits for the store (corrected-row-keys.ts). */
interface PendingKey {
  contact: Contact;
  targets: ContactTarget[];
  hashes: string[];
  fingerprint: string;
  sourceLine: number;
}

/** A unit after the rules: its rows' issues, and what to store if it passed. */
interface Evaluated {
  unit: LogUnit;
  rowErrors: Issue[][];
  rowWarnings: Issue[][];
  prepared: PreparedUnit | undefined;
  pending?: PendingKey;
  /** Keyed as a row corrected in a rejects file (its first-file identity known). */
  keyedAsCorrected?: true;
  /** The occurrence this import claimed for a corrected row: recorded with its contact. */
  claim?: Occurrence['fresh'];
  /** Refused by the rules, its contact_ref stored already: what is stored under it. */
  storedUnderRef?: StoredUnderRef[];
}

/** In a rejects file brought back: every free-text column the layout declares whose masked payment number was left as the rejects file wrote it. */
const maskedNumbersOf = (row: LogRow): Issue[] => maskedNumbers((column) => logField(row, column));

/**
 * `sourceLine`: for a row of a rejects file, its line in the very first file;
 * without a contact_ref, such a row's key is decided later, against the store.
 */
function evaluate(
  unit: LogUnit,
  raw: RawContact,
  lookup: ReferenceLookup,
  settings: RuleSettings,
  fingerprints: OccurrenceCounter,
  importRunId: number | null,
  fromRejectsFile: boolean,
  sourceLine: number | undefined,
): Evaluated {
  const rows = unit.rows;
  const rowErrors = rows.map((r) =>
    fromRejectsFile ? [...r.issues, ...unit.issues, ...maskedNumbersOf(r)] : [...r.issues, ...unit.issues],
  );
  // A guard removed is a warning; under --strict, an error like any other.
  const rowWarnings: Issue[][] = rows.map((r) => (settings.strict ? [] : [...r.warnings]));
  if (settings.strict) rows.forEach((r, k) => rowErrors[k]!.push(...r.warnings));
  let prepared: PreparedUnit | undefined;
  let pending: PendingKey | undefined;
  {
    const check = checkContact(raw, lookup, settings);
    for (let k = 0; k < rows.length; k++) {
      if (k > 0) {
        for (const field of differingContactFields(raw, rawContactOf([rows[k]!]), settings.dateOrder)) {
          rowErrors[k]!.push(issue('contact-fields-differ', { field, value: unit.ref ?? '', limit: rows[0]!.line }));
        }
      }
      rowErrors[k]!.push(...check.contactErrors, ...check.enquiryErrors[k]!);
      rowWarnings[k]!.push(...check.contactWarnings, ...check.enquiryWarnings[k]!);
    }
    if (check.contact && rowErrors.every((e) => e.length === 0)) {
      const hashes = contentHashes(check.contact, check.targets);
      let key = unit.ref;
      let fingerprint = '';
      if (key === null) {
        fingerprint = unitFingerprint(check.contact, check.targets, hashes);
        const { occurrence, firstLine } = fingerprints.next(CompactIndex.keyOfHex(fingerprint), rows[0]!.line);
        key = fingerprintKey(fingerprint, occurrence);
        if (occurrence > 1)
          (settings.strict ? rowErrors : rowWarnings)[0]!.push(issue('identical-row', { limit: firstLine }));
      }
      if (rowErrors[0]!.length === 0) {
        if (unit.ref === null && sourceLine !== undefined)
          pending = { contact: check.contact, targets: check.targets, hashes, fingerprint, sourceLine };
        else prepared = prepareUnit(check.contact, check.targets, key, hashes, importRunId);
      }
    }
  }
  if (!prepared && !pending) markSiblings(rowErrors);
  return { unit, rowErrors, rowWarnings, prepared, ...(pending ? { pending } : {}) };
}

/** The line a row of a rejects file had in the very first file, from this header's columns. */
function sourceLineReader(
  rawHeader: readonly string[],
): ((values: readonly string[]) => number | undefined) | undefined {
  const firstFileLine = firstFileLineReader(rawHeader);
  return (
    firstFileLine &&
    ((values) => {
      const line = Number(firstFileLine(values));
      return Number.isSafeInteger(line) && line > 0 ? line : undefined;
    })
  );
}

/** Rows of a rejected contact that were fine themselves. */
function markSiblings(rowErrors: Issue[][]): void {
  const guilty = rowErrors.map((e, i) => (e.length > 0 ? i : -1)).filter((i) => i >= 0);
  for (const errors of rowErrors) {
    if (errors.length === 0)
      errors.push(
        issue('sibling-rejected', { detail: `${guilty.length} other row${guilty.length === 1 ? '' : 's'} failed` }),
      );
  }
}

class ContactImport {
  private readonly summary: ContactImportSummary;
  private readonly fingerprints = new OccurrenceCounter();
  /** The rejects, warnings and outcomes files. */
  private listings: RowListings | undefined;
  private readonly references: ReferenceCache;
  /** The input is a rejects file brought back: its masked numbers must have been replaced. */
  private fromRejectsFile = false;
  /** For a rejects file: a row's line in the very first file. */
  private sourceLineOf: ((values: readonly string[]) => number | undefined) | undefined;
  private readonly corrected: CorrectedRowKeys;
  /** No contact of this file has been found stored so far: write without looking keys up. */
  private expectNew = true;

  constructor(
    private readonly store: Store,
    private readonly options: ContactImportOptions,
  ) {
    this.references = new ReferenceCache(store.db);
    this.corrected = new CorrectedRowKeys(store.db);
    this.summary = {
      file: options.file,
      dryRun: options.dryRun,
      rowsRead: 0,
      rowsAccepted: 0,
      rowsRejected: 0,
      rowsDuplicate: 0,
      rowsSuperseded: 0,
      rowsEmpty: 0,
      contactsWritten: 0,
      contactsAccepted: 0,
      partnerExpansions: 0,
      enquiriesWritten: 0,
      rejectsByCode: {},
      warningsByCode: {},
      rejectsFile: null,
      outcomesFile: null,
      importRun: null,
    };
  }

  /** The file read, in batches, each checked, written and accounted in turn: see `importBatches`. */
  async run(): Promise<ContactImportSummary> {
    const listings = new RowListings(this.options);
    this.listings = listings;
    let listed: Awaited<ReturnType<RowListings['close']>>;
    try {
      await this.importBatches(this.batches(logUnits(this.readRows())));
      if (!this.summary.interrupted) {
        await listings.finished();
        await this.finishRun();
      }
    } finally {
      listed = await listings.close();
    }
    Object.assign(this.summary, listed);
    return this.summary;
  }

  /** Read: the file's rows; the rejects files are opened once its header is known. */
  private readRows(): AsyncGenerator<LogRow[]> {
    const { file, format, map } = this.options;
    return logRows(
      file,
      format,
      map,
      {
        header: (header) => {
          this.fromRejectsFile = header.rejectsFile;
          this.sourceLineOf = sourceLineReader(header.raw);
          this.listings!.header(header, this.sourceLineOf);
        },
        emptyRow: (line) => {
          this.summary.rowsEmpty++;
          this.listings!.emptyRow(line);
        },
      },
      readCsvChunksAhead,
      { keepApostrophes: this.options.keepApostrophes },
    );
  }

  /**
   * Units in batches of about `batchRows` rows, the last one whatever is
   * left. The import run is started with the first units. Once aborted, no
   * further batch is made (the import is interrupted); no batch is made once
   * the file has changed since the whole-file check.
   */
  private async *batches(units: AsyncIterable<LogUnit[]>): AsyncGenerator<LogUnit[]> {
    const { batchRows = 2000, signal, unchanged, dryRun } = this.options;
    let batch: LogUnit[] = [];
    let size = 0;
    for await (const chunk of units) {
      if (signal?.aborted) break;
      if (this.summary.importRun === null && !dryRun) this.summary.importRun = await this.startRun();
      for (const unit of chunk) {
        batch.push(unit);
        size += unit.rows.length;
        if (size < batchRows) continue;
        assertUnchanged(unchanged);
        yield batch;
        batch = [];
        size = 0;
      }
    }
    if (signal?.aborted) {
      this.summary.interrupted = true;
      return;
    }
    assertUnchanged(unchanged);
    yield batch;
  }

  /**
   * Each batch checked, then written and accounted, in file order (the
   * occurrences of fingerprints depend on it). A batch is checked while the
   * one before it is being written: the database works while Node checks.
   * So at most two batches are held at once, besides the rows read ahead.
   * A failure stops the import once the batch being written has finished.
   */
  private async importBatches(batches: AsyncIterable<LogUnit[]>): Promise<void> {
    let writing: Promise<Failure> = Promise.resolve(undefined);
    try {
      for await (const units of batches) {
        const evaluated = await this.check(units);
        throwFailure(await writing);
        writing = failureOf(this.writeAndAccount(evaluated));
      }
    } catch (error) {
      await writing;
      throw error;
    }
    throwFailure(await writing);
  }

  /** Write, then account: the batch's outcomes counted and its rejected rows written. */
  private async writeAndAccount(evaluated: Evaluated[]): Promise<void> {
    let outcomes: (UnitOutcome | Issue)[];
    try {
      outcomes = await this.append(evaluated);
    } catch (error) {
      // Stopped by a signal before it held the chain: nothing of this batch was written, and it is not
      // counted, so the summary says exactly what was committed and the same command completes it.
      if (error instanceof CisError && error.kind === 'interrupted') {
        this.summary.interrupted = true;
        return;
      }
      throw error;
    }
    await this.account(evaluated, outcomes);
  }

  private async startRun(): Promise<number> {
    const { id, closed } = await startImportRun(this.store, this.options.file);
    if (closed.length > 0) this.summary.closedRuns = closed;
    return id;
  }

  private async finishRun(): Promise<void> {
    if (this.summary.importRun === null) return;
    if (this.summary.contactsWritten >= ANALYZE_AFTER_CONTACTS) await refreshPlannerStatistics(this.store);
    const { importRun, interrupted: _, ...summary } = this.summary;
    await this.store.db.transaction((tx) =>
      tx
        .update(importRuns)
        .set({ finishedAt: sql`now()`, summary: summaryKeepingClaims(summary) })
        .where(sql`${importRuns.id} = ${importRun}`),
    );
  }

  /** Check: each unit through the rules, its reference data fetched for the whole batch first. */
  private async check(units: LogUnit[]): Promise<Evaluated[]> {
    const evaluated: Evaluated[] = [];
    if (units.length === 0) return evaluated;
    const read = units.map((unit) => ({ unit, raw: rawContactOf(unit.rows) }));
    const lookup = await this.references.lookupFor(read.map((r) => r.raw));
    for (const [i, { unit, raw }] of read.entries()) {
      if (i > 0 && i % CHECK_SLICE === 0) await yieldToEventLoop();
      const firstRow = unit.rows[0];
      const sourceLine = firstRow && this.sourceLineOf?.(firstRow.values);
      evaluated.push(
        evaluate(
          unit,
          raw,
          lookup,
          this.options.settings,
          this.fingerprints,
          this.summary.importRun,
          this.fromRejectsFile,
          sourceLine,
        ),
      );
    }
    await this.keyCorrectedRows(evaluated);
    await this.findStoredUnderRefs(evaluated);
    return evaluated;
  }

  /**
   * Units the rules refused whose contact_ref may be stored already: looked
   * up, so the verdict is decided against what is stored (unit-verdict.ts).
   * Not a ref the file itself used for other rows (`contact-ref-reused`: the
   * file's own mistake, to fix), nor one that can never be stored.
   */
  private async findStoredUnderRefs(evaluated: Evaluated[]): Promise<void> {
    const refused = evaluated.filter(
      (e) =>
        !e.prepared &&
        !e.pending &&
        e.unit.ref !== null &&
        !e.unit.issues.some(
          (i) => i.code === 'contact-ref-reused' || i.code === 'ref-invalid' || i.code === 'control-character',
        ),
    );
    if (refused.length === 0) return;
    const stored = await storedUnderRefs(
      this.store.db,
      refused.map((e) => e.unit.ref!),
    );
    for (const e of refused) {
      const found = stored.get(e.unit.ref!);
      if (found) e.storedUnderRef = found;
    }
  }

  /** Corrected rows without a contact_ref take the occurrence their claim, or the store, gives them. */
  private async keyCorrectedRows(evaluated: Evaluated[]): Promise<void> {
    const waiting = evaluated.flatMap((e) => (e.pending ? [{ e, pending: e.pending }] : []));
    if (waiting.length === 0) return;
    const occurrences = await this.corrected.occurrences(
      waiting.map(({ pending: p }) => ({
        fingerprint: p.fingerprint,
        sourceLine: p.sourceLine,
        storedKeyOf: (n: number) => sourceKey(fingerprintKey(p.fingerprint, n), p.targets[0]!),
      })),
    );
    waiting.forEach(({ e, pending: p }, i) => {
      const { occurrence, fresh } = occurrences[i]!;
      e.prepared = prepareUnit(
        p.contact,
        p.targets,
        fingerprintKey(p.fingerprint, occurrence),
        p.hashes,
        this.summary.importRun,
      );
      if (fresh) e.claim = fresh;
      e.keyedAsCorrected = true;
      delete e.pending;
    });
  }

  /**
   * Outcomes for the units that passed the rules. While nothing in the file has
   * been found stored already (a first import), a batch is written without
   * looking its keys up, and the unique key index is the check; a batch it
   * refuses is written again the careful way. If the database refuses that
   * too, units are written one at a time so only the guilty one is rejected.
   */
  private async append(evaluated: Evaluated[]): Promise<(UnitOutcome | Issue)[]> {
    if (evaluated.length === 0) return [];
    const passed = evaluated.filter((e) => e.prepared);
    const positions = evaluated.map((e, i) => (e.prepared ? i : -1)).filter((i) => i >= 0);
    const out = new Array<UnitOutcome | Issue>(evaluated.length);
    const options = {
      writer: this.store.bulkWriter,
      rollback: this.options.dryRun,
      ...(this.options.chain ? { chain: this.options.chain } : {}),
    };
    let outcomes: UnitOutcome[] | undefined;
    // A repeat of a contact of the file is found stored: looked up, not refused by the unique index.
    const repeats = passed.some((e) => e.unit.repeatOf !== undefined);
    if (this.expectNew && !this.options.dryRun && !repeats) {
      outcomes = await this.write(passed, { ...options, assumeNew: true }).catch((error: unknown) => {
        if (!databaseRefusal(error)) throw error;
        return undefined;
      });
    }
    try {
      outcomes ??= await this.write(passed, options);
      positions.forEach((p, k) => (out[p] = outcomes![k]!));
      this.expectNew = outcomes.every((o, k) => o.status === 'written' || passed[k]!.unit.repeatOf !== undefined);
      await this.noteMatchesFromElsewhere(evaluated, out);
      return out;
    } catch (error) {
      if (!databaseRefusal(error)) throw error;
    }
    // One unit at a time, with plain INSERTs: they name the database's reason.
    const single = { ...options, writer: insertRows };
    for (const p of positions) {
      try {
        out[p] = (await this.write([evaluated[p]!], single))[0]!;
      } catch (unitError) {
        const refused = refusalIssue(unitError);
        if (!refused) throw unitError;
        out[p] = refused;
      }
    }
    await this.noteMatchesFromElsewhere(evaluated, out);
    return out;
  }

  /** Appends units; the occurrences claimed for corrected rows are recorded in the same transaction as their contacts. */
  private write(units: Evaluated[], options: AppendOptions): Promise<UnitOutcome[]> {
    const prepared = units.map((e) => e.prepared!);
    const run = this.summary.importRun;
    if (run === null || options.rollback || !units.some((e) => e.claim))
      return appendUnits(this.store.db, prepared, options);
    return this.store.db.transaction(async (tx) => {
      const outcomes = await appendUnits(tx, prepared, options);
      const claims: Record<string, number> = {};
      outcomes.forEach((o, k) => {
        const claim = units[k]!.claim;
        if (claim && o.status === 'written') claims[claim.name] = claim.occurrence;
      });
      await recordClaims(tx, run, claims);
      return outcomes;
    });
  }

  /**
   * A row without a contact_ref that matches a contact another file's import
   * stored may be that contact again, or a row corrected in a rejects file
   * whose reject_ columns were dropped (then its first-file identity is lost):
   * which, nothing can tell. It is not stored twice, but never silently
   * either: `matches-recorded` names the contact (an error under --strict).
   */
  private async noteMatchesFromElsewhere(evaluated: Evaluated[], out: (UnitOutcome | Issue)[]): Promise<void> {
    const matched = evaluated.map((e, i) => {
      const o = out[i];
      return e.unit.ref === null && !e.keyedAsCorrected && o && 'status' in o && o.status === 'duplicate'
        ? o.stored[0]?.seq
        : undefined;
    });
    if (matched.every((seq) => seq === undefined)) return;
    const provenance = await provenanceOf(
      this.store.db,
      matched.filter((seq): seq is number => seq !== undefined),
    );
    const file = basename(this.options.file);
    matched.forEach((seq, i) => {
      const from = seq === undefined ? undefined : provenance.get(seq);
      if (!from || (from.file !== null && basename(from.file) === file)) return;
      const note = issue('matches-recorded', {
        value: `${seq} (${from.sourceKey})`,
        ...(from.file ? { detail: from.file } : {}),
      });
      if (this.options.settings.strict) out[i] = note;
      else evaluated[i]!.rowWarnings[0]!.push(note);
    });
  }

  /**
   * Account: each unit's verdict counted, its rows written to the rejects
   * file (rejected), the warnings file (accepted or duplicate with warnings)
   * and the outcomes file (every row, in file order); progress is told once a batch.
   */
  private async account(evaluated: Evaluated[], outcomes: (UnitOutcome | Issue)[]): Promise<void> {
    for (const [i, e] of evaluated.entries()) {
      const verdict = unitVerdict({
        refused: !e.prepared,
        storedUnderRef: e.storedUnderRef,
        written: outcomes[i],
        repeat: e.unit.repeatOf !== undefined,
        dryRun: this.options.dryRun,
        strict: this.options.settings.strict,
      });
      this.accountUnit(e, verdict);
      await this.listings!.unit({ rows: e.unit.rows, rowErrors: e.rowErrors, rowWarnings: e.rowWarnings }, verdict);
    }
    const lastRow = evaluated.at(-1)?.unit.rows.at(-1);
    if (!lastRow) return;
    const { rowsRead, rowsAccepted, rowsDuplicate, rowsSuperseded, rowsRejected } = this.summary;
    this.options.onProgress?.({
      rowsRead,
      bytesRead: lastRow.bytesRead,
      rowsAccepted,
      rowsDuplicate,
      rowsSuperseded,
      rowsRejected,
    });
  }

  /** Counts a unit's rows in the summary as its verdict says; a rejected unit's errors are completed first. */
  private accountUnit(e: Evaluated, verdict: UnitVerdict): void {
    const s = this.summary;
    const rows = e.unit.rows;
    s.rowsRead += rows.length;
    if (verdict.outcome === 'rejected') {
      for (const errors of e.rowErrors) {
        errors.push(...verdict.errors);
        for (const code of new Set(errors.map((i) => i.code))) s.rejectsByCode[code] = (s.rejectsByCode[code] ?? 0) + 1;
      }
      s.rowsRejected += rows.length;
      return;
    }
    if (verdict.outcome === 'superseded') {
      s.rowsSuperseded += rows.length;
      return;
    }
    if (verdict.outcome === 'duplicate' && verdict.warning)
      e.rowWarnings.forEach((list) => list.push(verdict.warning!));
    for (const warnings of e.rowWarnings) {
      if (warnings.length === 0) continue;
      for (const code of new Set(warnings.map((i) => i.code)))
        s.warningsByCode[code] = (s.warningsByCode[code] ?? 0) + 1;
    }
    if (verdict.outcome === 'duplicate') {
      s.rowsDuplicate += rows.length;
      return;
    }
    s.rowsAccepted += rows.length;
    s.contactsWritten += verdict.stored.length;
    s.contactsAccepted += 1;
    s.partnerExpansions += verdict.stored.length - 1;
    s.enquiriesWritten += verdict.stored.length * rows.length;
  }
}

export function importContacts(store: Store, options: ContactImportOptions): Promise<ContactImportSummary> {
  return new ContactImport(store, options).run();
}
