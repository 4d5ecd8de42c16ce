/**
 * Text right after a closing quote (`"x"y`) makes a CSV file unreadable, a
 * fatal code that must write nothing (SPEC 3). The reader meets it only when
 * it gets there, after an import has committed the batches before it; so the
 * import reads the file's quoting first, before anything is written.
 *
 * That first read is cheap: it hops from quote to quote over the raw bytes
 * (quote, comma and LF are single ASCII bytes in UTF-8 and windows-1252
 * alike) and follows RFC 4180 as Papa Parse does where the line ending is LF.
 * Whatever it cannot be sure of answers "not certain": a CR anywhere (the line
 * ending is then Papa Parse's guess), a closing quote followed by anything but
 * a quote, a comma, LF or the end (Papa Parse accepts spaces there), a quote
 * still open at the end. Then the file is read once through the parser
 * itself, which is exact and names the line.
 */

import { createReadStream } from 'node:fs';
import { type Encoding, readCsvChunks } from './reader.js';

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;
/** Before the first byte: a field starts there. */
const START = -1;

/** Follows a file's quoting chunk by chunk; `certain()` once every chunk is in. */
export class QuotingScan {
  private inside = false;
  /** The previous chunk's last byte. */
  private previous = START;
  /** Inside a quoted field, a quote ended the previous chunk: the next byte says what it was. */
  private quoteAtEnd = false;
  private doubtful = false;
  private first = true;

  constructor(private readonly encoding: Encoding = 'utf-8') {}

  push(chunk: Uint8Array): void {
    if (this.doubtful || chunk.length === 0) return;
    let i = 0;
    if (this.first) {
      this.first = false;
      if (this.encoding === 'utf-8' && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) i = 3;
    }
    if (chunk.indexOf(CR) !== -1) {
      this.doubtful = true;
      return;
    }
    const origin = i;
    if (this.quoteAtEnd) {
      this.quoteAtEnd = false;
      if (!this.closesOrEscapes(chunk[i]!)) return;
      i += this.inside ? 1 : 0;
    }
    for (;;) {
      const q = chunk.indexOf(QUOTE, i);
      if (q === -1) break;
      i = q + 1;
      if (!this.inside) {
        // A quote opens a field only where a field starts; elsewhere it is part of the value.
        const before = q === origin ? this.previous : chunk[q - 1]!;
        this.inside = before === START || before === COMMA || before === LF;
        continue;
      }
      if (q + 1 === chunk.length) {
        this.quoteAtEnd = true;
        break;
      }
      if (!this.closesOrEscapes(chunk[q + 1]!)) return;
      if (this.inside) i = q + 2;
    }
    this.previous = chunk[chunk.length - 1]!;
  }

  /**
   * Inside a quoted field, after a quote: a second quote is an escaped one
   * (still inside, and skipped); a comma or LF closes the field. Anything else
   * makes the scan doubtful. False when doubtful.
   */
  private closesOrEscapes(next: number): boolean {
    if (next === QUOTE) return true;
    if (next === COMMA || next === LF) {
      this.inside = false;
      return true;
    }
    this.doubtful = true;
    return false;
  }

  /** True when the whole file certainly has no malformed quoting; a quote closing at the very end is fine. */
  certain(): boolean {
    return !this.doubtful && (!this.inside || this.quoteAtEnd);
  }
}

/**
 * Fails with `file-unreadable`, naming the line, if the file's quoting is
 * malformed anywhere; reads it through the parser only when the quick scan
 * is not certain.
 */
export async function checkQuoting(path: string, encoding: Encoding): Promise<void> {
  const scan = new QuotingScan(encoding);
  const stream = createReadStream(path, { highWaterMark: 256 * 1024 });
  try {
    for await (const chunk of stream) scan.push(chunk as Buffer);
  } catch {
    // The reader below names the failure as it names every other.
  } finally {
    stream.destroy();
  }
  if (scan.certain()) return;
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  for await (const _ of readCsvChunks(path, encoding));
}
