/**
 * The rejects file: the input's own header and raw values, then
 * reject_line, reject_codes and reject_reasons. Payment numbers are masked.
 * It imports as it is once corrected: reject_* columns are ignored on input.
 */

import { createWriteStream, type WriteStream } from 'node:fs';
import { basename, resolve } from 'node:path';
import { stringify, type Stringifier } from 'csv-stringify';
import { type Issue, catalogueOrder } from '../domain/catalogue.js';
import { maskPaymentDetails } from '../domain/payment.js';
import { isRejectColumn } from '../csv/header.js';

export const REJECT_COLUMNS = ['reject_line', 'reject_codes', 'reject_reasons'] as const;

/** `<input name>.rejects.csv` in the current folder. */
export function defaultRejectsPath(inputPath: string): string {
  return resolve(`${basename(inputPath).replace(/\.csv$/i, '')}.rejects.csv`);
}

/** Codes in catalogue order; one reason per code, naming field and limit. */
export function describeIssues(issues: readonly Issue[]): { codes: string; reasons: string } {
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
  private header: string[];
  rows = 0;

  /** With `always`, the file is written even when nothing is rejected. */
  constructor(readonly path: string, header: string[], always: boolean, private readonly keep: (index: number) => boolean = () => true) {
    this.header = header;
    if (always) this.open();
  }

  /** For an input with this header: its own reject_* columns (a rejects file imported again) are replaced by this run's. */
  static forInput(path: string, rawHeader: readonly string[], always: boolean): RejectsFile {
    const kept = rawHeader.map((name) => !isRejectColumn(name));
    return new RejectsFile(path, rawHeader.filter((_, i) => kept[i]), always, (i) => kept[i] ?? true);
  }

  private open(): Stringifier {
    if (!this.out) {
      this.file = createWriteStream(this.path);
      this.out = stringify({ eof: true, record_delimiter: '\n' });
      this.out.pipe(this.file);
      this.out.write([...this.header, ...REJECT_COLUMNS]);
    }
    return this.out;
  }

  get written(): boolean {
    return this.out !== undefined;
  }

  async add(values: readonly string[], line: number, issues: readonly Issue[]): Promise<void> {
    const { codes, reasons } = describeIssues(issues);
    // A row that could not be read at all (an unclosed quote) still fills the columns.
    const cells = values.length === 0
      ? this.header.map(() => '')
      : values.filter((_, i) => this.keep(i)).map((v) => maskPaymentDetails(v));
    const out = this.open();
    this.rows++;
    if (!out.write([...cells, String(line), codes, reasons])) {
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
  }
}
