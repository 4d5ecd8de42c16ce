/**
 * One column of a file, followed over the raw bytes in the whole-file pass
 * (file-check.ts), so that a form that belongs to the whole column (the
 * order of day and month in its dates) is judged before anything is stored,
 * without parsing the file twice. It follows RFC 4180 as the reader does:
 * separators and line breaks inside quotes belong to the value, a doubled
 * quote is a quote; rows end with CRLF, LF or CR, and lines are counted as
 * the reader counts them (CRLF, LF or CR one each, inside quotes too), so a
 * row's line is the one the reader gives it. It runs only on a file whose
 * quoting the quick scan found sound; otherwise file-check.ts hands the
 * parser's own rows to the same check.
 */

import { isAscii } from 'node:buffer';
import { TextDecoder } from 'node:util';
import type { Encoding } from './reader.js';

/** What a whole-file check of one column is told, and when it must decide. */
export interface ColumnCheck {
  /** From the header's cells: the index of the column to follow, or undefined for none. */
  column(header: readonly string[]): number | undefined;
  /** A data row's cell in that column, with the line the row starts on. */
  cell(value: string, line: number): void;
  /** Every row is in: throws the fatal error if the column's form is wrong. */
  finish(): void;
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const BOM = [0xef, 0xbb, 0xbf];
/** More than any header or date cell holds; a longer cell is kept cut (it is no date either way). */
const MAX_CELL_BYTES = 1024;

/** A cell as written, its quotes taken off (`"a ""b"""` is `a "b"`). */
function unquoted(text: string): string {
  if (!text.startsWith('"')) return text;
  const inner = text.endsWith('"') && text.length > 1 ? text.slice(1, -1) : text.slice(1);
  return inner.replaceAll('""', '"');
}

/** The bytes that mean something to the scan, for one separator: quote, separator, CR, LF. */
function specialBytes(separator: number): Uint8Array {
  const table = new Uint8Array(256);
  for (const b of [QUOTE, separator, CR, LF]) table[b] = 1;
  return table;
}

/** Where the next quote, separator or line break is, from `i` (or the chunk's end): the bytes between are plain. */
function nextSpecial(chunk: Uint8Array, i: number, special: Uint8Array): number {
  const n = chunk.length;
  while (i < n && special[chunk[i]!] === 0) i++;
  return i;
}

/** Follows one column of a file's bytes, chunk by chunk; `end()` once every chunk is in. */
export class ColumnScan {
  private inside = false;
  private afterCr = false;
  private line = 1;
  private rowLine = 1;
  private rowStarted = false;
  private field = 0;
  /** The header's cells while it is read; null once the column is chosen. */
  private header: string[] | null = [];
  private target: number | undefined;
  /** The bytes of the cell being kept that earlier chunks held. */
  private pending: Uint8Array[] = [];
  private offset = 0;
  private readonly decoder: TextDecoder;
  private readonly separator: number;
  private readonly special: Uint8Array;

  /** `encoding`: of the bytes pushed (UTF-16 is pushed as UTF-8, without its byte-order mark). */
  constructor(
    private readonly check: ColumnCheck,
    private readonly encoding: Encoding,
    delimiter: string,
  ) {
    this.decoder = new TextDecoder(encoding === 'windows-1252' ? 'windows-1252' : 'utf-8');
    this.separator = delimiter.charCodeAt(0);
    this.special = specialBytes(this.separator);
  }

  /**
   * Most bytes are none of quote, separator or line break: they are passed
   * over in a tight loop, the state kept in locals, and a kept cell is taken
   * as a slice where it ends rather than byte by byte.
   */
  push(chunk: Uint8Array): void {
    let i = 0;
    // A UTF-8 byte-order mark is not part of the first header (a part of one alone is no UTF-8, refused before).
    while (this.encoding === 'utf-8' && this.offset < BOM.length && i < chunk.length && chunk[i] === BOM[this.offset]) {
      i++;
      this.offset++;
    }
    if (i < chunk.length) this.offset = BOM.length;
    const separator = this.separator;
    const special = this.special;
    const n = chunk.length;
    let inside = this.inside;
    let afterCr = this.afterCr;
    let line = this.line;
    let rowStarted = this.rowStarted;
    let field = this.field;
    let keeping = this.keeping();
    let from = i;
    for (; i < n; i++) {
      let b = chunk[i]!;
      if (special[b] === 0) {
        if (!rowStarted) {
          rowStarted = true;
          this.rowLine = line;
        }
        afterCr = false;
        i = nextSpecial(chunk, i + 1, special);
        if (i === n) break;
        b = chunk[i]!;
      }
      if (b === LF || b === CR) {
        if (b === CR || !afterCr) line++;
        afterCr = b === CR;
        if (inside) continue;
        if (!rowStarted) {
          // A blank line, or the LF of a CRLF.
          from = i + 1;
          continue;
        }
        rowStarted = false;
        if (keeping) this.endField(field, chunk.subarray(from, i));
        this.endRow();
        field = 0;
      } else {
        afterCr = false;
        if (!rowStarted) {
          rowStarted = true;
          this.rowLine = line;
        }
        if (b === QUOTE) inside = !inside;
        if (b !== separator || inside) continue;
        if (keeping) this.endField(field, chunk.subarray(from, i));
        field++;
      }
      // Only the header's cells and the followed column's are kept.
      keeping = this.header !== null || field === this.target;
      from = i + 1;
    }
    if (keeping && from < n) this.pending.push(chunk.slice(from, Math.min(n, from + MAX_CELL_BYTES)));
    this.inside = inside;
    this.afterCr = afterCr;
    this.line = line;
    this.rowStarted = rowStarted;
    this.field = field;
  }

  /** The file is all in: its last row, if no line break ended it, then the check's verdict. */
  end(): void {
    if (this.rowStarted) {
      if (this.keeping()) this.endField(this.field, new Uint8Array(0));
      this.endRow();
    }
    this.check.finish();
  }

  private keeping(): boolean {
    return this.header !== null || this.field === this.target;
  }

  /** A kept cell ends: its text, its quotes taken off, goes to the header or the check. */
  private endField(field: number, last: Uint8Array): void {
    const bytes = this.pending.length === 0 ? last : Buffer.concat([...this.pending, last]);
    this.pending = [];
    const cut = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, MAX_CELL_BYTES));
    // Most cells are ASCII (a date always is): read as such, without a decoder's cost a row.
    const text = unquoted(isAscii(cut) ? cut.toString('latin1') : this.decoder.decode(cut));
    if (this.header !== null) this.header[field] = text;
    else this.check.cell(text, this.rowLine);
  }

  private endRow(): void {
    if (this.header !== null) {
      // A row of empty cells before the header is skipped, as the reader skips it.
      if (this.header.some((h) => h !== '')) {
        this.target = this.check.column(this.header);
        this.header = null;
      } else this.header = [];
    }
    this.field = 0;
  }
}
