/**
 * The outcomes file (`import --outcomes`): one row for every row of the
 * input, so a migration team can reconcile its file with the history
 * without rebuilding which line became which contact. Columns:
 *
 *   line                the row's physical line in this file
 *   reject_source_line  for a row of a rejects file: its line in the very first file
 *   outcome             accepted, duplicate, superseded, rejected or empty
 *   seq                 the stored contact(s) it became or met, `;`-separated (one a partner)
 *   source_key          their source keys, in the same order
 *   codes               the row's codes (errors of a rejected row, warnings otherwise), `;`-separated
 *
 * Like every file the tool writes it is its owner's only, UTF-8 with a
 * byte-order mark, and written under a temporary name, taking its own only
 * when the run closes it; its checksum is kept so a later run may replace it.
 */

import { type Hash } from 'node:crypto';
import { stringify } from 'csv-stringify/sync';
import { type Issue, catalogueOrder } from '../domain/catalogue.js';
import type { RowOutcome, StoredContactRef } from '../domain/outcomes.js';
import { CELL_QUOTING, neutralise } from '../csv/formula-guard.js';
import { newDigest, recordWritten } from './written-files.js';
import { WholeFile } from './whole-file.js';

const OUTCOME_COLUMNS = ['line', 'reject_source_line', 'outcome', 'seq', 'source_key', 'codes'] as const;

export interface OutcomeRow {
  line: number;
  sourceLine?: number | undefined;
  outcome: RowOutcome;
  stored?: readonly StoredContactRef[];
  issues?: readonly Issue[];
}

const csvLine = (cells: readonly string[]) => stringify([cells], { record_delimiter: '\n', ...CELL_QUOTING });

const codesOf = (issues: readonly Issue[]) => [...new Set(issues.map((i) => i.code))].sort(catalogueOrder).join(';');

export class OutcomesFile {
  private readonly file: WholeFile;
  private readonly digest: Hash = newDigest();
  /** Written in order: each line is queued on the file's stream before the next. */
  private pending: Promise<void> = Promise.resolve();

  constructor(readonly path: string) {
    this.file = WholeFile.create(path, '--outcomes');
    // Its failure is kept in `pending`, met by whoever waits next (add or close).
    void this.send(`\ufeff${csvLine([...OUTCOME_COLUMNS])}`);
  }

  private send(text: string): Promise<void> {
    this.digest.update(text);
    this.pending = this.pending.then(() => this.file.write(text));
    // A failure is met by whoever waits next (add or close), not left unhandled meanwhile.
    this.pending.catch(() => {});
    return this.pending;
  }

  add(row: OutcomeRow): Promise<void> {
    const stored = row.stored ?? [];
    return this.send(
      csvLine(
        [
          String(row.line),
          row.sourceLine === undefined ? '' : String(row.sourceLine),
          row.outcome,
          stored.map((s) => s.seq).join(';'),
          stored.map((s) => s.sourceKey).join(';'),
          codesOf(row.issues ?? []),
        ].map(neutralise),
      ),
    );
  }

  /** Everything written: the file takes its name, and its checksum is kept beside it. */
  async close(): Promise<void> {
    try {
      await this.pending;
      await this.file.finish();
      this.file.publish();
    } catch (error) {
      this.file.discard();
      throw error;
    }
    recordWritten(this.path, this.digest.digest('hex'));
  }
}
