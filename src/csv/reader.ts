/**
 * Streams a CSV file as raw rows with the physical line each starts on.
 * Parsing is Papa Parse's (RFC 4180: commas, doubled quotes and line breaks
 * inside quoted fields), fed one file chunk at a time: a chunk's complete rows
 * come out together and its unfinished last row waits for the next chunk.
 * UTF-8 with or without BOM, or windows-1252 for legacy exports. Nothing
 * holds the whole file.
 */

import { createReadStream } from 'node:fs';
import Papa from 'papaparse';
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
  | { kind: 'row'; line: number; values: string[]; /** Bytes of the file read so far (read-ahead included). */ bytesRead: number }
  /** A quoted field still open at the end of the file: the rows before it stand. */
  | { kind: 'unclosed-quote'; line: number };

/**
 * A row still unfinished after this many characters is taken as a quote never
 * closed. Each chunk re-reads the unfinished row from its start, so letting it
 * grow with the rest of the file would be quadratic; no real row comes near.
 */
export const MAX_ROW_CHARS = 1 << 20;

export const CHUNK_BYTES = 256 * 1024;

/** Papa Parse's per-file parser, which its own streamers drive the same way (not in its type definitions). */
interface ParserHandle {
  parse(input: string, baseIndex: number, ignoreLastRow: boolean): {
    data: string[][];
    errors: { code: string; message: string; row?: number }[];
    meta: { cursor: number; linebreak: string };
  };
}
const { ParserHandle } = Papa as unknown as { ParserHandle: new (config: Papa.ParseConfig) => ParserHandle };
const newParser = () => new ParserHandle({ delimiter: ',', quoteChar: '"', skipEmptyLines: false });

/**
 * The line ending the reader parses a file with: Papa Parse's guess from the
 * text of the file's first chunk (the first `CHUNK_BYTES`, decoded), made once.
 */
export function lineEndingOf(firstChunkText: string): string {
  return newParser().parse(firstChunkText, 0, true).meta.linebreak;
}

function lineBreaks(value: string): number {
  let n = 0;
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
 * Every row, in chunks as they are read, blank lines skipped. A row's line is
 * where it starts; line breaks inside quoted fields count, as a text editor
 * counts them. An unclosed quote ends the file: it is the last item.
 */
export async function* readCsvChunks(path: string, encoding: Encoding = 'utf-8'): AsyncGenerator<CsvItem[]> {
  const file = await openFile(path);
  // TextDecoder drops a UTF-8 byte-order mark and keeps multi-byte characters split across chunks whole.
  const decoder = new TextDecoder(encoding);
  const parser = newParser();
  let pending = '';
  let line = 1;
  let ended = false;

  const rowsOf = (text: string, final: boolean): CsvItem[] => {
    const { data, errors, meta } = parser.parse(text, 0, !final);
    pending = final ? '' : text.slice(meta.cursor);
    const problems = new Map<number, { code: string; message: string }>();
    for (const e of errors) if (e.row !== undefined && e.row < data.length && !problems.has(e.row)) problems.set(e.row, e);
    const items: CsvItem[] = [];
    for (let i = 0; i < data.length; i++) {
      const values = data[i]!;
      const problem = problems.get(i);
      if (problem?.code === 'MissingQuotes') {
        items.push({ kind: 'unclosed-quote', line });
        ended = true;
        break;
      }
      if (problem) throw inputError('file-unreadable', `${path}: line ${line}: ${problem.message.toLowerCase()}`);
      const start = line;
      line += 1;
      for (const v of values) if (v.length > 0 && (v.includes('\n') || v.includes('\r'))) line += lineBreaks(v);
      if (values.length === 1 && values[0] === '') continue;
      items.push({ kind: 'row', line: start, values, bytesRead: file.bytesRead });
    }
    return items;
  };

  try {
    for await (const chunk of file) {
      const items = rowsOf(pending + decoder.decode(chunk as Buffer, { stream: true }), false);
      if (items.length > 0) yield items;
      if (ended) return;
      if (pending.length > MAX_ROW_CHARS) {
        yield [{ kind: 'unclosed-quote', line }];
        return;
      }
    }
    const items = rowsOf(pending + decoder.decode(), true);
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
