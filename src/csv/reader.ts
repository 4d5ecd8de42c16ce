/**
 * Streams a CSV file as raw rows with the physical line each starts on.
 * Parsing is csv-parse's, strict RFC 4180 (separators, doubled quotes and
 * line breaks inside quoted fields; a stray quote is an error, never
 * guessed), driven one file chunk at a time through its documented stream,
 * the `Parser` Transform: a chunk written to it is parsed within the write
 * call, so its complete rows are there to `read()` straight after, together;
 * its unfinished last row waits for the next chunk. Rows end with CRLF, LF or CR, in any mix (a file appended
 * to by another tool). It parses bytes, so quotes, separators and line breaks
 * (ASCII in UTF-8 and windows-1252 alike) are found before any decoding:
 * UTF-8 (its byte-order mark dropped by csv-parse's `bom`), windows-1252 for
 * legacy exports, or UTF-16, turned into UTF-8 first (utf16.ts). Nothing
 * holds the whole file.
 */

import { createReadStream } from 'node:fs';
import { type CsvError, type Options, Parser } from 'csv-parse';
import { parse as parseWhole } from 'csv-parse/sync';
import { CisError, inputError } from '../domain/errors.js';
import { utf16AsUtf8 } from './utf16.js';

export type Encoding = 'utf-8' | 'windows-1252' | 'utf-16le' | 'utf-16be';

/** The separators a spreadsheet writes: a comma, a semicolon (in much of Europe) or a tab ("Unicode Text"). */
export type Delimiter = ',' | ';' | '\t';
export const DELIMITERS: readonly Delimiter[] = [',', ';', '\t'];

export interface CsvFormat {
  encoding: Encoding;
  delimiter: Delimiter;
}

export const DEFAULT_FORMAT: CsvFormat = { encoding: 'utf-8', delimiter: ',' };

export function parseEncoding(name: string | undefined): Encoding {
  const n = (name ?? 'utf-8').trim().toLowerCase();
  if (n === 'utf-8' || n === 'utf8') return 'utf-8';
  // Legacy "latin1" exports are in practice windows-1252 (as the WHATWG encoding standard treats them).
  if (['windows-1252', 'cp1252', 'latin1', 'latin-1', 'iso-8859-1'].includes(n)) return 'windows-1252';
  // Without its byte-order mark, UTF-16 is taken as Windows writes it: little-endian.
  if (['utf-16', 'utf16', 'utf-16le', 'utf16le', 'unicode', 'ucs-2'].includes(n)) return 'utf-16le';
  if (n === 'utf-16be' || n === 'utf16be') return 'utf-16be';
  throw inputError('usage', { detail: `unsupported encoding ${name}: use utf-8, windows-1252 (latin1) or utf-16` });
}

export function parseDelimiter(name: string): Delimiter {
  const n = name === '\t' ? 'tab' : name.trim().toLowerCase();
  const named: Record<string, Delimiter> = { ',': ',', comma: ',', ';': ';', semicolon: ';', tab: '\t', '\\t': '\t' };
  const found = named[n];
  if (!found) throw inputError('usage', { detail: `unsupported separator ${JSON.stringify(name)}: use , ; or tab` });
  return found;
}

export type CsvItem =
  | {
      kind: 'row';
      line: number;
      values: string[];
      /** Bytes of the file read so far (read-ahead included). */
      bytesRead: number;
      /** The file's last row, and the file does not end with a line break: it may have been cut. */
      unterminated?: true;
    }
  /** A row whose cells are all empty (a spreadsheet's trailing `,,,,`): skipped as a blank line is, but counted. */
  | { kind: 'empty'; line: number }
  /** A quoted field still open at the end of the file: the rows before it stand. */
  | { kind: 'unclosed-quote'; line: number }
  /** A row longer than any row can be, outside quotes: not CSV as the reader knows it. */
  | { kind: 'too-long'; line: number };

/**
 * The longest a row may be (csv-parse's `max_record_size`): no real row comes
 * near. A row still unfinished past it inside a quoted field is taken as a
 * quote never closed, which would otherwise hold the rest of the file in
 * memory; outside quotes, as a row too long (a file that is not CSV, or whose
 * line breaks are not CR, LF or CRLF).
 */
export const MAX_ROW_CHARS = 1 << 20;

const CHUNK_BYTES = 256 * 1024;

const LF = 0x0a;
const CR = 0x0d;

/** windows-1252 differs from latin1 only in 0x80-0x9F: csv-parse decodes latin1, these are put right. */
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';
const C1 = /[\u0080-\u009f]/g;
const fromLatin1 = (value: string) =>
  C1.test(value) ? value.replace(C1, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]!) : value;

/** Line breaks in a value, as a text editor counts them: CRLF, LF or CR alone, one each. */
function lineBreaks(value: string): number {
  let n = 0;
  for (let i = value.indexOf('\n'); i !== -1; i = value.indexOf('\n', i + 1)) n++;
  for (let i = value.indexOf('\r'); i !== -1; i = value.indexOf('\r', i + 1)) if (value[i + 1] !== '\n') n++;
  return n;
}

/** What makes a file unopenable, in a user's words. */
export function whyUnreadable(error: NodeJS.ErrnoException): string {
  if (error.code === 'ENOENT') return 'no such file';
  if (error.code === 'EISDIR') return 'it is a folder, not a file';
  if (error.code === 'EACCES' || error.code === 'EPERM') return 'permission denied';
  return error.message;
}

/** Opens the file, or fails with `file-unreadable` before anything is read. */
export async function openFile(path: string) {
  const stream = createReadStream(path, { highWaterMark: CHUNK_BYTES });
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (error: NodeJS.ErrnoException) =>
      reject(inputError('file-unreadable', { value: path, detail: whyUnreadable(error) })),
    );
  });
  return stream;
}

/** The file's bytes as the parser reads them: as they are, or UTF-16 made UTF-8. */
export function parserBytes(file: AsyncIterable<Buffer>, encoding: Encoding, path: string): AsyncIterable<Buffer> {
  return encoding === 'utf-16le' || encoding === 'utf-16be' ? utf16AsUtf8(file, encoding, path) : file;
}

/** What csv-parse's error codes mean to a user, at the line the row starts. */
function malformed(path: string, line: number, error: CsvError): CisError {
  const what =
    error.code === 'CSV_INVALID_CLOSING_QUOTE'
      ? 'text after a closing quote ("x"y)'
      : error.code === 'INVALID_OPENING_QUOTE'
        ? 'a quote inside a value that does not start with one (said "hi")'
        : error.message;
  return inputError(
    'file-unreadable',
    { value: path, detail: `line ${line}: ${what}` },
    'quote the whole value, and write a quote inside it twice: "said ""hi"""',
  );
}

/**
 * Every row, in chunks as they are read, blank lines skipped. A row's line is
 * where it starts; line breaks inside quoted fields count, as a text editor
 * counts them. An unclosed quote, or a row too long, ends the file: it is the
 * last item.
 */
export async function* readCsvChunks(path: string, format: Partial<CsvFormat> = {}): AsyncGenerator<CsvItem[]> {
  const { encoding, delimiter } = { ...DEFAULT_FORMAT, ...format };
  const file = await openFile(path);
  const latin = encoding === 'windows-1252';
  const options = parserOptions(encoding, delimiter);
  const parser = new Parser(options);
  // Errors are taken from `parser.errored` where they happen; the event would come a tick later, and unheard it would crash.
  parser.on('error', () => {});
  let line = 1;
  let items: CsvItem[] = [];
  let lastByte: number | undefined;
  const take = (values: string[]) => {
    const start = line;
    line += 1;
    let empty = true;
    for (let i = 0; i < values.length; i++) {
      const v = latin ? (values[i] = fromLatin1(values[i]!)) : values[i]!;
      if (v.length === 0) continue;
      empty = false;
      if (v.includes('\n') || v.includes('\r')) line += lineBreaks(v);
    }
    if (!empty) items.push({ kind: 'row', line: start, values, bytesRead: file.bytesRead });
    else if (values.length > 1) items.push({ kind: 'empty', line: start });
  };
  const drain = () => {
    for (let values = parser.read() as string[] | null; values !== null; values = parser.read() as string[] | null)
      take(values);
  };
  /** False once the file can be read no further (an unclosed quote, a row too long). */
  const settle = async (): Promise<boolean> => {
    drain();
    // A write still queued (the stream need not run it at once) is run by reading; wait for it rather than lose rows.
    while (parser.writableLength > 0 && !parser.errored) {
      await new Promise((resolve) => setImmediate(resolve));
      drain();
    }
    const error = parser.errored as CsvError | null;
    if (error === null) return true;
    if (error.code === 'CSV_QUOTE_NOT_CLOSED') {
      items.push({ kind: 'unclosed-quote', line });
      return false;
    }
    if (error.code === 'CSV_MAX_RECORD_SIZE') {
      items.push({
        kind: (await rowOpensQuoteTooLong(path, encoding, options, line)) ? 'unclosed-quote' : 'too-long',
        line,
      });
      return false;
    }
    throw malformed(path, line, error);
  };
  try {
    for await (const chunk of parserBytes(file, encoding, path)) {
      lastByte = chunk[chunk.length - 1];
      parser.write(chunk);
      const more = await settle();
      if (items.length > 0) yield items;
      items = [];
      if (!more) return;
    }
    // The parser's flush, which gives up the last row (or finds a quote still open), runs after end() returns.
    await new Promise<void>((resolve) => parser.end(() => resolve()));
    await settle();
    // Only a row that no line break ended is still in the parser at the end.
    const last = items[items.length - 1];
    if (last?.kind === 'row' && lastByte !== LF && lastByte !== CR) last.unterminated = true;
    if (items.length > 0) yield items;
  } catch (error) {
    if (error instanceof CisError) throw error;
    throw inputError('file-unreadable', { value: path, detail: whyUnreadable(error as NodeJS.ErrnoException) });
  } finally {
    parser.destroy();
    file.destroy();
  }
}

function parserOptions(encoding: Encoding, delimiter: Delimiter): Options {
  return {
    // UTF-16 arrives as UTF-8 without its byte-order mark; EF BB BF in windows-1252 are three characters.
    bom: encoding === 'utf-8',
    encoding: encoding === 'windows-1252' ? 'latin1' : 'utf8',
    delimiter,
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_column_count: true,
    max_record_size: MAX_ROW_CHARS,
  };
}

/**
 * Whether the row at `line`, which ran past MAX_ROW_CHARS, did so inside a
 * quoted field (a quote never closed, or closed too late to matter) rather
 * than outside quotes. The parser does not say in its documented surface, and
 * the file is already given up, so its first MAX_ROW_CHARS bytes from that
 * line are read again and parsed whole: a quote still open at their end is
 * the answer. Lines are counted as `readCsvChunks` counts them, CRLF, LF or
 * CR each one, inside quotes too.
 */
async function rowOpensQuoteTooLong(
  path: string,
  encoding: Encoding,
  options: Options,
  line: number,
): Promise<boolean> {
  const file = await openFile(path);
  try {
    let at = 1;
    let afterCr = false;
    const row: Buffer[] = [];
    let rowBytes = 0;
    for await (const chunk of parserBytes(file, encoding, path)) {
      let from = 0;
      for (let i = 0; i < chunk.length && at < line; i++) {
        const byte = chunk[i];
        if (byte === LF && afterCr) {
          afterCr = false;
          from = i + 1;
          continue;
        }
        afterCr = byte === CR;
        if (byte === LF || byte === CR) {
          at++;
          from = i + 1;
        }
      }
      if (at < line) continue;
      // A CRLF split across chunks: its LF is not the row's.
      if (afterCr && chunk[from] === LF) from++;
      afterCr = false;
      row.push(chunk.subarray(from, from + MAX_ROW_CHARS + 1 - rowBytes));
      rowBytes += row[row.length - 1]!.length;
      if (rowBytes > MAX_ROW_CHARS) break;
    }
    try {
      parseWhole(Buffer.concat(row), { ...options, bom: options.bom === true && line === 1, max_record_size: 0 });
      return false;
    } catch (error) {
      return (error as CsvError).code === 'CSV_QUOTE_NOT_CLOSED';
    }
  } finally {
    file.destroy();
  }
}

/** Every row, one at a time. */
export async function* readCsv(path: string, format: Partial<CsvFormat> = {}): AsyncGenerator<CsvItem> {
  for await (const items of readCsvChunks(path, format)) yield* items;
}
