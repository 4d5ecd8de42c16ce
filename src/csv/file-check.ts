/**
 * Everything that makes a file unreadable is found before anything is
 * written: records are immutable, so a misread is stored for good. One pass
 * over the raw bytes checks the declared encoding and follows the quoting
 * (see quoting.ts); only where the quick quoting scan cannot be sure is the
 * file read once more through the parser, which names the exact line.
 *
 * - Read as UTF-8, an invalid byte sequence anywhere is fatal, naming its line.
 * - Read as windows-1252, a file that is in fact UTF-8 (a byte-order mark, or
 *   accented letters that are valid UTF-8 sequences) is fatal unless the user
 *   confirms the encoding: `é` would be stored as `Ã©`.
 * - A quoted field never closed is fatal, naming where it opened and how
 *   much of the file it would swallow.
 * - A column whose form belongs to the whole file (the day and month order of
 *   the contact log's dates) is followed in the same pass (column-scan.ts),
 *   and judged once the file's bytes and quoting are known to read faithfully.
 */

import { isAscii, isUtf8 } from 'node:buffer';
import { CisError, inputError } from '../domain/errors.js';
import {
  type CsvFormat,
  DEFAULT_FORMAT,
  MAX_ROW_CHARS,
  openFile,
  parserBytes,
  readCsvChunks,
  whyUnreadable,
} from './reader.js';
import { QuotingScan } from './quoting.js';
import { type FileSnapshot, snapshotOf } from './file-snapshot.js';
import { type ColumnCheck, ColumnScan } from './column-scan.js';

const LF = 0x0a;

export interface FileCheckOptions {
  format: Partial<CsvFormat>;
  /** The user says the file really is windows-1252, though its bytes would read as UTF-8. */
  confirmEncoding?: boolean;
  /** A column to judge whole: a fresh check each time the file is read for it. */
  column?: () => ColumnCheck;
}

/** Bytes a UTF-8 sequence takes, from its first byte; 0 for a byte that cannot start one. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/** Where the first invalid UTF-8 sequence starts (only called once `isUtf8` said there is one). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const n = sequenceLength(bytes[i]!);
    if (n === 0 || i + n > bytes.length) return i;
    if (n > 1 && !isUtf8(bytes.subarray(i, i + n))) return i;
    i += n;
  }
  return bytes.length;
}

/** How many bytes at the end of `bytes` begin a sequence that the next chunk completes. */
function unfinishedTail(bytes: Uint8Array): number {
  for (let back = 1; back <= 3 && back <= bytes.length; back++) {
    const b = bytes[bytes.length - back]!;
    if (b < 0x80) return 0;
    if (b >= 0xc0) return sequenceLength(b) > back ? back : 0;
  }
  return 0;
}

/**
 * Counts the line feeds of the file chunk by chunk, and measures the longest
 * stretch without one: a stretch longer than any row can be means a row the
 * reader would refuse as too long (or a file whose rows end in CR alone),
 * which the quick quoting scan cannot see; the parser then reads the file.
 */
class LineCounter {
  lines = 0;
  private offset = 0;
  private lastBreak = -1;
  longest = 0;

  push(chunk: Uint8Array): void {
    for (let i = chunk.indexOf(LF); i !== -1; i = chunk.indexOf(LF, i + 1)) {
      this.lines++;
      this.longest = Math.max(this.longest, this.offset + i - this.lastBreak - 1);
      this.lastBreak = this.offset + i;
    }
    this.offset += chunk.length;
    this.longest = Math.max(this.longest, this.offset - this.lastBreak - 1);
  }
}

function linesIn(bytes: Uint8Array, end: number): number {
  let n = 0;
  for (let i = bytes.indexOf(LF); i !== -1 && i < end; i = bytes.indexOf(LF, i + 1)) n++;
  return n;
}

/**
 * Fails with a fatal catalogue code if any of the file cannot be read
 * faithfully; otherwise the file's size and time as the check began, for the
 * import to make sure it reads the same file to the end.
 */
export async function checkWholeFile(path: string, options: FileCheckOptions): Promise<FileSnapshot | undefined> {
  const format = { ...DEFAULT_FORMAT, ...options.format };
  const snapshot = snapshotOf(path);
  const utf16 = format.encoding === 'utf-16le' || format.encoding === 'utf-16be';
  // UTF-16 reaches the checks as UTF-8, its own decoding already strict.
  const encoding = utf16 ? 'utf-8' : format.encoding;
  const scan = new QuotingScan(encoding, format.delimiter);
  const counted = new LineCounter();
  const column = options.column && new ColumnScan(options.column(), encoding, format.delimiter);
  let carry: Uint8Array = new Uint8Array(0);
  let validUtf8 = true;
  let startsWithBom = false;
  let firstAccentLine = 0;
  let first = true;
  let endsWithLineBreak = false;
  const file = await openFile(path);
  try {
    for await (const chunk of parserBytes(file, format.encoding, path)) {
      scan.push(chunk);
      column?.push(chunk);
      if (first) startsWithBom = chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf;
      first = false;
      if (validUtf8 && !utf16) {
        const bytes = carry.length === 0 ? chunk : Buffer.concat([carry, chunk]);
        const whole = bytes.subarray(0, bytes.length - unfinishedTail(bytes));
        if (!isUtf8(whole)) {
          validUtf8 = false;
          if (encoding === 'utf-8') {
            const line = counted.lines + 1 + linesIn(whole, firstInvalidUtf8(whole));
            throw inputError(
              'invalid-encoding',
              { value: path, detail: `is not valid UTF-8: line ${line} holds bytes that UTF-8 cannot have` },
              'a file saved by Excel or an older Windows system is most likely windows-1252: add --encoding windows-1252',
            );
          }
        } else if (firstAccentLine === 0 && !isAscii(whole)) {
          const high = whole.findIndex((b) => b >= 0x80);
          if (high !== -1) firstAccentLine = counted.lines + 1 + linesIn(whole, high);
        }
        carry = bytes.subarray(whole.length);
      }
      counted.push(chunk);
      endsWithLineBreak = chunk[chunk.length - 1] === LF;
    }
  } catch (error) {
    if (error instanceof CisError && error.code === 'invalid-encoding') throw error;
    throw inputError('file-unreadable', { value: path, detail: whyUnreadable(error as NodeJS.ErrnoException) });
  } finally {
    file.destroy();
  }
  if (encoding === 'utf-8' && !utf16 && carry.length > 0) {
    throw inputError(
      'invalid-encoding',
      { value: path, detail: 'is not valid UTF-8: it ends in the middle of a character' },
      'the file may be cut short, or in windows-1252: add --encoding windows-1252',
    );
  }
  if (encoding === 'windows-1252' && !options.confirmEncoding && validUtf8 && (startsWithBom || firstAccentLine > 0)) {
    const why = startsWithBom
      ? 'starts with a UTF-8 byte-order mark'
      : `holds accented characters in UTF-8 (the first on line ${firstAccentLine})`;
    throw inputError(
      'invalid-encoding',
      {
        value: path,
        detail: `${why}, but --encoding windows-1252 was given: every accented letter would be stored wrongly (é as Ã©)`,
      },
      'leave --encoding out to read it as UTF-8; if the file really is windows-1252, add --confirm-encoding',
    );
  }
  if (scan.certain() && counted.longest <= MAX_ROW_CHARS) {
    column?.end();
    return snapshot;
  }
  const lastLine = endsWithLineBreak ? counted.lines : counted.lines + 1;
  // The quick scans could not be sure of the quoting: the parser's own rows serve the column check too.
  const check = options.column?.();
  let target: number | undefined | null = null;
  for await (const items of readCsvChunks(path, format)) {
    for (const item of items) {
      if (check && item.kind === 'row') {
        if (target === null) target = check.column(item.values);
        else if (target !== undefined && target < item.values.length) check.cell(item.values[target]!, item.line);
      }
      if (item.kind === 'unclosed-quote') {
        const swallowed = lastLine - item.line;
        throw inputError(
          'unclosed-quote',
          {
            value: path,
            limit: item.line,
            detail: `it would swallow the ${swallowed} line${swallowed === 1 ? '' : 's'} after it, to the end of the file`,
          },
          'close the quote (a quote inside a quoted field is written twice: "")',
        );
      }
      if (item.kind === 'too-long') throw rowTooLong(path, item.line);
    }
  }
  check?.finish();
  return snapshot;
}

/** A row the reader refuses for its length: named as such, never as a quote. */
export function rowTooLong(path: string, line: number) {
  return inputError(
    'file-unreadable',
    {
      value: path,
      detail: `the row at line ${line} runs past ${MAX_ROW_CHARS.toLocaleString('en-GB')} characters without ending, far longer than any contact`,
    },
    'the file may not be CSV, or its rows may end with something other than a line break (CR, LF or CRLF); save it from the spreadsheet again as CSV',
  );
}
