/**
 * The files that list an import's rows as each unit is decided: the rejects
 * file (rejected rows, with their errors), the warnings file (`--warnings`:
 * stored or duplicate rows that carried warnings) and the outcomes file
 * (`--outcomes`: every row, empty ones in their place). A superseded row is
 * in the outcomes file only: the stored contact stands, nothing is to fix.
 */

import type { Issue } from '../domain/catalogue.js';
import type { ResolvedHeader } from '../csv/header.js';
import { RejectsFile } from '../outputs/rejects-file.js';
import { OutcomesFile } from '../outputs/outcomes-file.js';
import type { LogRow } from './contact-log.js';
import type { UnitVerdict } from './unit-verdict.js';

export interface ListingPaths {
  rejectsPath?: string | undefined;
  warningsPath?: string | undefined;
  outcomesPath?: string | undefined;
  /** Write the rejects file even when nothing is rejected. */
  rejectsAlways: boolean;
}

/** What a unit's rows carry, row by row. */
export interface ListedUnit {
  rows: readonly LogRow[];
  rowErrors: readonly (readonly Issue[])[];
  rowWarnings: readonly (readonly Issue[])[];
}

const guardsOf = (warnings: readonly Issue[]) => warnings.filter((w) => w.code === 'guard-removed');

export class RowListings {
  private rejects: RejectsFile | undefined;
  private warned: RejectsFile | undefined;
  private readonly outcomes: OutcomesFile | undefined;
  /** Lines of rows of empty cells read but not yet listed in the outcomes file: each goes in its place among the others. */
  private emptyLines: number[] = [];
  /** For a rejects file brought back: a row's line in the very first file. */
  private sourceLineOf: ((values: readonly string[]) => number | undefined) | undefined;

  /** The outcomes file is started at once, so a path that cannot be written fails before any work. */
  constructor(private readonly paths: ListingPaths) {
    if (paths.outcomesPath) this.outcomes = new OutcomesFile(paths.outcomesPath);
  }

  /** The input's header is known: the files in its shape are opened. */
  header(header: ResolvedHeader, sourceLineOf: ((values: readonly string[]) => number | undefined) | undefined): void {
    const { rejectsPath, warningsPath, rejectsAlways } = this.paths;
    if (rejectsPath) this.rejects = RejectsFile.forInput(rejectsPath, header.raw, rejectsAlways);
    if (warningsPath) this.warned = RejectsFile.forInput(warningsPath, header.raw, true);
    this.sourceLineOf = sourceLineOf;
  }

  emptyRow(line: number): void {
    if (this.outcomes) this.emptyLines.push(line);
  }

  /** A unit's rows where its verdict sends them. */
  async unit(unit: ListedUnit, verdict: UnitVerdict): Promise<void> {
    const rejected = verdict.outcome === 'rejected';
    const superseded = verdict.outcome === 'superseded';
    const file = rejected ? this.rejects : superseded ? undefined : this.warned;
    for (const [k, row] of unit.rows.entries()) {
      const errors = unit.rowErrors[k] ?? [];
      const warnings = unit.rowWarnings[k] ?? [];
      // The guard's removal goes with a rejected row too: its rejects file shows the ' the file had, and this says it will not be stored.
      const found = rejected ? [...errors, ...guardsOf(warnings)] : warnings;
      if (file && (rejected || found.length > 0)) await file.add(row.values, row.line, found);
      if (!this.outcomes) continue;
      await this.emptyRowsBefore(row.line);
      await this.outcomes.add({
        line: row.line,
        sourceLine: this.sourceLineOf?.(row.values),
        outcome: verdict.outcome,
        stored: 'stored' in verdict ? verdict.stored : [],
        issues: superseded ? errors : found,
      });
    }
  }

  /** The whole file was read and decided: the empty rows after its last row. */
  async finished(): Promise<void> {
    await this.emptyRowsBefore(Infinity);
  }

  /** Rows of empty cells before `line`, in the outcomes file. */
  private async emptyRowsBefore(line: number): Promise<void> {
    if (!this.outcomes || this.emptyLines.length === 0 || this.emptyLines[0]! > line) return;
    const before = this.emptyLines.filter((l) => l < line);
    this.emptyLines = this.emptyLines.filter((l) => l >= line);
    for (const l of before) await this.outcomes.add({ line: l, outcome: 'empty' });
  }

  /** Each file takes its name; what was written says which. */
  async close(): Promise<{ rejectsFile: string | null; outcomesFile: string | null }> {
    await this.rejects?.close();
    await this.warned?.close();
    await this.outcomes?.close();
    return { rejectsFile: this.rejects?.written ? this.rejects.path : null, outcomesFile: this.outcomes?.path ?? null };
  }
}
