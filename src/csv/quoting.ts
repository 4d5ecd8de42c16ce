/**
 * Text right after a closing quote (`"x"y`), a quote inside a value that
 * does not start with one (`said "hi"`), or a quote never closed, makes a
 * CSV file unreadable, which must write nothing. The reader meets it only
 * when it gets there, after an import has committed the batches before it;
 * so the whole-file check (file-check.ts) follows the quoting first.
 *
 * That first read is cheap: it hops from quote to quote over the raw bytes
 * (quote, separator, CR and LF are single ASCII bytes in UTF-8 and
 * windows-1252 alike, and UTF-16 is read as UTF-8) and follows RFC 4180 as
 * csv-parse does, with rows ending in CRLF, LF or CR as the reader takes
 * them. Whatever it cannot be sure of answers "not certain": a closing quote
 * followed by anything but a quote, the separator, a line break or the end,
 * a quote where no field starts, a quote still open at the end. Then the file
 * is read once through the parser itself, which is exact and names the line.
 */

import type { Delimiter, Encoding } from './reader.js';

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const BOM = [0xef, 0xbb, 0xbf];
/** How far from a quote its meaning may depend: the byte before an opening quote, the one after a closing one. */
const REACH = 2;

/** Follows a file's quoting chunk by chunk; `certain()` once every chunk is in. */
export class QuotingScan {
  private inside = false;
  private doubtful = false;
  /** The bytes from `from` on are not scanned yet; up to REACH bytes before it are kept to look behind. */
  private carry: Uint8Array = new Uint8Array(0);
  private from = 0;
  /** Where the file's first field starts, while the scan is still in the first bytes (after a BOM). */
  private origin: number | undefined = 0;
  private readonly separator: number;

  /** `encoding`: of the bytes pushed (UTF-16 is pushed as UTF-8, without its byte-order mark). */
  constructor(
    private readonly encoding: Encoding = 'utf-8',
    delimiter: Delimiter = ',',
  ) {
    this.separator = delimiter.charCodeAt(0);
  }

  push(chunk: Uint8Array): void {
    if (this.doubtful) return;
    const bytes = this.carry.length === 0 ? chunk : Buffer.concat([this.carry, chunk]);
    if (this.origin !== undefined && this.from === 0 && this.encoding === 'utf-8') {
      // A byte-order mark is not part of the first field; wait until it can be told.
      if (bytes.length < BOM.length && BOM.slice(0, bytes.length).every((b, k) => bytes[k] === b)) {
        this.carry = bytes;
        return;
      }
      if (BOM.every((b, k) => bytes[k] === b)) this.origin = this.from = BOM.length;
    }
    this.scan(bytes, false);
  }

  /** True when the whole file certainly has no malformed quoting. */
  certain(): boolean {
    if (!this.doubtful) this.scan(this.carry, true);
    return !this.doubtful && !this.inside;
  }

  private scan(bytes: Uint8Array, atEnd: boolean): void {
    let i = this.from;
    for (;;) {
      const q = bytes.indexOf(QUOTE, i);
      if (q === -1) {
        i = bytes.length;
        break;
      }
      if (!this.inside) {
        // A quote opens a field only where a field starts; elsewhere the parser refuses it.
        if (!this.fieldStartsAt(bytes, q)) {
          this.doubtful = true;
          return;
        }
        this.inside = true;
        i = q + 1;
        continue;
      }
      // Inside a quoted field: the next bytes say what this quote is.
      if (!atEnd && q + REACH >= bytes.length) {
        i = q;
        break;
      }
      if (q + 1 === bytes.length) {
        this.inside = false;
        i = q + 1;
        break;
      }
      if (bytes[q + 1] === QUOTE) {
        i = q + 2;
        continue;
      }
      const after = bytes[q + 1];
      if (after === this.separator || after === LF || after === CR) {
        this.inside = false;
        i = q + 1;
        continue;
      }
      this.doubtful = true;
      return;
    }
    const keep = Math.max(0, i - REACH);
    this.carry = bytes.subarray(keep);
    this.from = i - keep;
    if (keep > 0) this.origin = this.origin !== undefined && this.origin >= keep ? this.origin - keep : undefined;
  }

  private fieldStartsAt(bytes: Uint8Array, q: number): boolean {
    if (q === this.origin) return true;
    const before = bytes[q - 1];
    return before === this.separator || before === LF || before === CR;
  }
}
