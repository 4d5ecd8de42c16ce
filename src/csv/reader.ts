/**
 * Streams a CSV file as raw rows with the physical line each starts on.
 * Parsing is csv-parse's, strict RFC 4180 (commas, doubled quotes and line
 * breaks inside quoted fields; a stray quote is an error, never guessed),
 * driven one file chunk at a time through its parser API: a chunk's complete
 * rows come out together, its unfinished last row waits for the next chunk.
 * It parses bytes, so quotes, commas and line breaks (ASCII in UTF-8 and
 * windows-1252 alike) are found before any decoding: UTF-8 (its byte-order
 * mark dropped by csv-parse's `bom`), or windows-1252 for legacy exports.
 * Nothing holds the whole file.
 */

import { createReadStream } from 'node:fs';
import { type CsvError, Parser } from 'csv-parse';
import { CisError, inputError } from '../domain/errors.js';

export type Encoding = 'utf-8' | 'windows-1252';

export function parseEncoding(name: string | undefined): Encoding {
  const n = (name ?? 'utf-8').trim().toLowerCase();
  if (n === 'utf-8' || n === 'utf8') return 'utf-8';
  // Legacy "latin1" exports are in practice windows-1252 (as the WHATWG encoding standard treats them).
  if (['windows-1252', 'cp1252', 'latin1', 'latin-1', 'iso-8859-1'].includes(n)) return 'windows-1252';
  throw inputError('usage', `unsupported encoding ${name}: use utf-8 or windows-1252 (latin1)`);
}

export type CsvItem =
  | {
    kind: 'row'; line: number; values: string[];
    /** Bytes of the file read so far (read-ahead included). */
    bytesRead: number;
    /** The file's last row, and the file does not end with a line break: it may have been cut. */
    unterminated?: true;
  }
  /** A quoted field still open at the end of the file: the rows before it stand. */
  | { kind: 'unclosed-quote'; line: number };

/**
 * A row still unfinished after this many characters is taken as a quote never
 * closed (csv-parse's `max_record_size`): no real row comes near, and an open
 * quote would otherwise hold the rest of the file in memory.
 */
export const MAX_ROW_CHARS = 1 << 20;

export const CHUNK_BYTES = 256 * 1024;

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

/**
 * The line ending the file's rows end with: the first line break outside
 * quotes in its first chunk (LF unless it is CR LF or CR alone). The reader
 * and the quoting scan both use it, so they split the file alike.
 */
export function lineEndingOf(firstChunk: Uint8Array): '\n' | '\r\n' | '\r' {
  let inside = false;
  for (let i = 0; i < firstChunk.length; i++) {
    const b = firstChunk[i];
    if (b === QUOTE) inside = !inside;
    else if (!inside && b === LF) return '\n';
    else if (!inside && b === CR) return firstChunk[i + 1] === LF || i + 1 === firstChunk.length ? '\r\n' : '\r';
  }
  return '\n';
}

/** windows-1252 differs from latin1 only in 0x80-0x9F: csv-parse decodes latin1, these are put right. */
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';
const C1 = /[\u0080-\u009f]/g;
const fromLatin1 = (value: string) => (C1.test(value) ? value.replace(C1, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]!) : value);

function lineBreaks(value: string, lineEnding: string): number {
  let n = 0;
  if (lineEnding === '\r') {
    for (let i = value.indexOf('\r'); i !== -1; i = value.indexOf('\r', i + 1)) n++;
    return n;
  }
  for (let i = value.indexOf('\n'); i !== -1; i = value.indexOf('\n', i + 1)) n++;
  for (let i = value.indexOf('\r'); i !== -1; i = value.indexOf('\r', i + 1)) if (value[i + 1] !== '\n') n++;
  return n;
}

/** Opens the file, or fails with `file-unreadable` before anything is read. */
async function openFile(path: string) {
  const stream = createReadStream(path, { highWaterMark: CHUNK_BYTES });
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (error: NodeJS.ErrnoException) => {
      reject(inputError('file-unreadable', `cannot read ${path}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`));
    });
  });
  return stream;
}

/**
 * csv-parse's chunk parser: what its own stream (`_transform`) and sync entry
 * points drive, synchronously, returning an error instead of emitting one.
 * Not in its type definitions.
 */
interface ChunkParser {
  parse(chunk: Buffer | undefined, end: boolean, push: (record: string[]) => void, close: () => void): CsvError | undefined;
}

function chunkParser(options: ConstructorParameters<typeof Parser>[0]): ChunkParser {
  return (new Parser(options) as unknown as { api: ChunkParser }).api;
}

/** What csv-parse's error codes mean to a user, at the line the row starts. */
function malformed(path: string, line: number, error: CsvError): CisError {
  const what = error.code === 'CSV_INVALID_CLOSING_QUOTE'
    ? 'text after a closing quote ("x"y)'
    : error.code === 'INVALID_OPENING_QUOTE'
      ? 'a quote inside a value that does not start with one (said "hi")'
      : error.message;
  return inputError('file-unreadable', `${path}: line ${line}: ${what}`,
    'quote the whole value, and write a quote inside it twice: "said ""hi"""');
}

/**
 * Every row, in chunks as they are read, blank lines skipped. A row's line is
 * where it starts; line breaks inside quoted fields count, as a text editor
 * counts them. An unclosed quote ends the file: it is the last item.
 */
export async function* readCsvChunks(path: string, encoding: Encoding = 'utf-8'): AsyncGenerator<CsvItem[]> {
  const file = await openFile(path);
  let parser: ChunkParser | undefined;
  let lineEnding = '\n';
  let line = 1;
  let items: CsvItem[] = [];
  let lastByte: number | undefined;
  const latin = encoding === 'windows-1252';
  const push = (values: string[]) => {
    const start = line;
    line += 1;
    for (let i = 0; i < values.length; i++) {
      const v = latin ? (values[i] = fromLatin1(values[i]!)) : values[i]!;
      if (v.length > 0 && (v.includes('\n') || v.includes('\r'))) line += lineBreaks(v, lineEnding);
    }
    if (values.length === 1 && values[0] === '') return;
    items.push({ kind: 'row', line: start, values, bytesRead: file.bytesRead });
  };
  /** False once the file can be read no further (an unclosed quote). */
  const parse = (chunk: Buffer | undefined, end: boolean): boolean => {
    const error = parser!.parse(chunk, end, push, () => {});
    if (error === undefined) return true;
    if (error.code === 'CSV_QUOTE_NOT_CLOSED' || error.code === 'CSV_MAX_RECORD_SIZE') {
      items.push({ kind: 'unclosed-quote', line });
      return false;
    }
    throw malformed(path, line, error);
  };
  try {
    for await (const chunk of file as AsyncIterable<Buffer>) {
      lastByte = chunk[chunk.length - 1];
      if (!parser) {
        lineEnding = lineEndingOf(chunk);
        parser = chunkParser({
          bom: encoding === 'utf-8', encoding: latin ? 'latin1' : 'utf8', record_delimiter: lineEnding,
          relax_column_count: true, max_record_size: MAX_ROW_CHARS,
        });
      }
      const more = parse(chunk, false);
      if (items.length > 0) yield items;
      items = [];
      if (!more) return;
    }
    if (parser) parse(undefined, true);
    // Only a row that no line break ended is still in the parser at the end.
    const last = items[items.length - 1];
    if (last?.kind === 'row' && lastByte !== LF && lastByte !== CR) last.unterminated = true;
    if (items.length > 0) yield items;
  } catch (error) {
    if (error instanceof CisError) throw error;
    throw inputError('file-unreadable', `cannot read ${path}: ${(error as Error).message}`);
  } finally {
    file.destroy();
  }
}

/** Every row, one at a time. */
export async function* readCsv(path: string, encoding: Encoding = 'utf-8'): AsyncGenerator<CsvItem> {
  for await (const items of readCsvChunks(path, encoding)) yield* items;
}
