/**
 * The rejects file: the input's own header and raw values, then
 * reject_line, reject_codes and reject_reasons. Payment numbers are masked.
 * It imports as it is once corrected: reject_* columns are ignored on input.
 * Every row has exactly as many cells as the header (a long row's surplus
 * values are quoted in its reasons), it is UTF-8 with a byte-order mark, and
 * a cell a spreadsheet would run carries one leading `'` that the importer
 * removes again. A rejects file of a rejects file carries
 * reject_source_line, the row's line in the very first file.
 */

import { type Hash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { basename, resolve } from 'node:path';
import { stringify, type Stringifier } from 'csv-stringify';
import { type Issue, catalogueOrder } from '../domain/catalogue.js';
import { maskPaymentDetails } from '../domain/payment.js';
import { REJECT_COLUMNS, SOURCE_LINE_COLUMN, firstFileLineReader, isRejectColumn } from '../csv/header.js';
import { neutralise } from '../csv/formula-guard.js';
import { newDigest, recordWritten } from './written-files.js';

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

export class RejectsFile {
  private out: Stringifier | undefined;
  private file: WriteStream | undefined;
  /** What was written, for the checksum that lets a later run overwrite it (written-files.ts). */
  private digest: Hash | undefined;
  private readonly columns: string[];
  rows = 0;

  /**
   * With `always`, the file is written even when nothing is rejected.
   * `sourceLineOf`, for an input that is itself a rejects file: the first file's line of a row.
   */
  constructor(
    readonly path: string, private readonly header: string[], always: boolean,
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
    const sourceLineOf = firstFileLine && ((values: readonly string[], line: number) => firstFileLine(values) ?? String(line));
    return new RejectsFile(path, rawHeader.filter((_, i) => kept[i]), always, (i) => kept[i] ?? true, sourceLineOf);
  }

  private open(): Stringifier {
    if (!this.out) {
      this.file = createWriteStream(this.path);
      // A byte-order mark: Excel then reads the file as UTF-8, and so does the importer, whatever --encoding says.
      // A lone CR ends a row for the reader (and for spreadsheets), so a value holding one is quoted.
      this.out = stringify({ eof: true, record_delimiter: '\n', bom: true, quoted_match: /\r/ });
      const digest = (this.digest = newDigest());
      this.out.on('data', (chunk: Buffer | string) => digest.update(chunk));
      this.out.pipe(this.file);
      this.out.write(this.columns);
    }
    return this.out;
  }

  get written(): boolean {
    return this.out !== undefined;
  }

  async add(values: readonly string[], line: number, issues: readonly Issue[]): Promise<void> {
    const described = describeIssues(issues);
    let reasons = described.reasons;
    const own = values.filter((_, i) => this.keep(i)).map((v) => maskPaymentDetails(v));
    // Exactly as many cells as the header: a short row is padded, a long row's surplus is kept in its reasons.
    const cells = own.slice(0, this.header.length);
    while (cells.length < this.header.length) cells.push('');
    const surplus = own.slice(this.header.length);
    if (surplus.length > 0) reasons += `; values beyond the header's ${this.header.length} columns: ${surplus.map((v) => JSON.stringify(v)).join(', ')}`;
    const source = this.sourceLineOf ? [this.sourceLineOf(values, line)] : [];
    const out = this.open();
    this.rows++;
    if (!out.write([...cells, ...source, String(line), described.codes, reasons].map(neutralise))) {
      await new Promise((r) => out.once('drain', r));
    }
  }

  async close(): Promise<void> {
    if (!this.out) return;
    const file = this.file!;
    const finished = new Promise<void>((res, rej) => {
      file.once('finish', () => res());
      file.once('error', rej);
    });
    this.out.end();
    await finished;
    recordWritten(this.path, this.digest!.digest('hex'));
  }
}
