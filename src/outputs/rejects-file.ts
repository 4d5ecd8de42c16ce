/**
 * The rejects file: the input's own header and raw values, then
 * reject_line, reject_codes and reject_reasons. Payment numbers are masked.
 * It imports as it is once corrected: reject_* columns are ignored on input.
 * Every row has exactly as many cells as the header (a long row's surplus
 * values are quoted in its reasons), it is UTF-8 with a byte-order mark, and
 * a cell a spreadsheet would run carries one leading `'` that the importer
 * removes again. A rejects file of a rejects file carries
 * reject_source_line, the row's line in the very first file. It is written
 * privately and whole (whole-file.ts), taking its name when the run closes it.
 */

import { type Hash } from 'node:crypto';
import { basename, resolve } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { type Issue, catalogueOrder } from '../domain/catalogue.js';
import { maskPaymentDetails } from '../domain/payment.js';
import { REJECT_COLUMNS, SOURCE_LINE_COLUMN, firstFileLineReader, isRejectColumn } from '../csv/header.js';
import { CELL_QUOTING, neutralise } from '../csv/formula-guard.js';
import { newDigest, recordWritten } from './written-files.js';
import { WholeFile } from './whole-file.js';

/** `<input name>.rejects.csv` in the current folder. */
export function defaultRejectsPath(inputPath: string): string {
  return resolve(`${basename(inputPath).replace(/\.csv$/i, '')}.rejects.csv`);
}

/** Codes in catalogue order; one reason per code, naming field and limit. */
function describeIssues(issues: readonly Issue[]): { codes: string; reasons: string } {
  const byCode = new Map<string, string[]>();
  for (const i of [...issues].sort((a, b) => catalogueOrder(a.code, b.code))) {
    const list = byCode.get(i.code) ?? [];
    if (!list.includes(i.message)) list.push(i.message);
    byCode.set(i.code, list);
  }
  return {
    codes: [...byCode.keys()].join(';'),
    reasons: [...byCode.values()].map((messages) => messages.join(' / ')).join('; '),
  };
}

/** A byte-order mark: Excel then reads the file as UTF-8, and so does the importer, whatever --encoding says. */
const BOM = '\ufeff';

const csvLine = (cells: readonly string[]) => stringify([cells], { record_delimiter: '\n', ...CELL_QUOTING });

export class RejectsFile {
  private file: WholeFile | undefined;
  /** What was written, for the checksum that lets a later run overwrite it (written-files.ts). */
  private digest: Hash | undefined;
  private readonly columns: string[];
  rows = 0;

  /**
   * With `always`, the file is written even when nothing is rejected.
   * `sourceLineOf`, for an input that is itself a rejects file: the first file's line of a row.
   */
  constructor(
    readonly path: string,
    private readonly header: string[],
    always: boolean,
    private readonly keep: (index: number) => boolean = () => true,
    private readonly sourceLineOf?: (values: readonly string[], line: number) => string,
  ) {
    this.columns = [...header, ...(sourceLineOf ? [SOURCE_LINE_COLUMN] : []), ...REJECT_COLUMNS];
    if (always) this.open();
  }

  /** For an input with this header: its own reject_* columns (a rejects file imported again) are replaced by this run's. */
  static forInput(path: string, rawHeader: readonly string[], always: boolean): RejectsFile {
    const kept = rawHeader.map((name) => !isRejectColumn(name));
    const firstFileLine = firstFileLineReader(rawHeader);
    const sourceLineOf =
      firstFileLine && ((values: readonly string[], line: number) => firstFileLine(values) ?? String(line));
    return new RejectsFile(
      path,
      rawHeader.filter((_, i) => kept[i]),
      always,
      (i) => kept[i] ?? true,
      sourceLineOf,
    );
  }

  private open(): WholeFile {
    if (!this.file) {
      this.file = WholeFile.create(this.path);
      this.digest = newDigest();
      void this.send(BOM + csvLine(this.columns)); // a failure stays in `pending`, met by the next write or close
    }
    return this.file;
  }

  /** Written in order: each piece is queued on the file's stream before the next. */
  private pending: Promise<void> = Promise.resolve();

  private send(text: string): Promise<void> {
    this.digest!.update(text);
    const file = this.file!;
    this.pending = this.pending.then(() => file.write(text));
    // A failure is met by whoever waits next (add or close), not left unhandled meanwhile.
    this.pending.catch(() => {});
    return this.pending;
  }

  get written(): boolean {
    return this.file !== undefined;
  }

  async add(values: readonly string[], line: number, issues: readonly Issue[]): Promise<void> {
    const described = describeIssues(issues);
    let reasons = described.reasons;
    const own = values.filter((_, i) => this.keep(i)).map((v) => maskPaymentDetails(v));
    // Exactly as many cells as the header: a short row is padded, a long row's surplus is kept in its reasons.
    const cells = own.slice(0, this.header.length);
    while (cells.length < this.header.length) cells.push('');
    const surplus = own.slice(this.header.length);
    if (surplus.length > 0)
      reasons += `; values beyond the header's ${this.header.length} columns: ${surplus.map((v) => JSON.stringify(v)).join(', ')}`;
    const source = this.sourceLineOf ? [this.sourceLineOf(values, line)] : [];
    this.open();
    this.rows++;
    await this.send(csvLine([...cells, ...source, String(line), described.codes, reasons].map(neutralise)));
  }

  /** Everything written: the file takes its name, and its checksum is kept beside it; on a failure to write, nothing is left. */
  async close(): Promise<void> {
    const file = this.file;
    if (!file) return;
    try {
      await this.pending;
      await file.finish();
      file.publish();
    } catch (error) {
      file.discard();
      throw error;
    }
    recordWritten(this.path, this.digest!.digest('hex'));
  }
}
