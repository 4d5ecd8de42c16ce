/**
 * Streams a CSV file as raw rows with the physical line each starts on.
 * RFC 4180 quoting (commas, quotes and line breaks inside quoted fields),
 * UTF-8 with or without BOM, or windows-1252 for legacy exports. Rows are
 * yielded one at a time: nothing holds the whole file.
 */

import { createReadStream } from 'node:fs';
import { Transform } from 'node:stream';
import { parse } from 'csv-parse';
import { inputError } from '../domain/errors.js';

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

function decoder(encoding: Encoding): Transform {
  const textDecoder = new TextDecoder(encoding);
  return new Transform({
    readableObjectMode: false,
    transform(chunk: Buffer, _enc, done) {
      done(null, textDecoder.decode(chunk, { stream: true }));
    },
    flush(done) {
      done(null, textDecoder.decode());
    },
  });
}

function lineBreaks(value: string): number {
  let n = 0;
  for (let i = value.indexOf('\n'); i !== -1; i = value.indexOf('\n', i + 1)) n++;
  for (let i = value.indexOf('\r'); i !== -1; i = value.indexOf('\r', i + 1)) if (value[i + 1] !== '\n') n++;
  return n;
}

/** Opens the file, or fails with `file-unreadable` before anything is read. */
async function openFile(path: string) {
  const stream = createReadStream(path);
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (error: NodeJS.ErrnoException) => {
      reject(inputError('file-unreadable', `cannot read ${path}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`));
    });
  });
  return stream;
}

/**
 * Every row, blank lines skipped. A row's line is where it starts; line breaks
 * inside quoted fields count, as a text editor counts them.
 */
export async function* readCsv(path: string, encoding: Encoding = 'utf-8'): AsyncGenerator<CsvItem> {
  const file = await openFile(path);
  const parser = parse({ bom: true, relax_column_count: true, skip_empty_lines: false });
  const source = file.pipe(decoder(encoding)).pipe(parser);
  file.on('error', (error) => parser.destroy(error));
  let line = 1;
  try {
    for await (const values of source as AsyncIterable<string[]>) {
      const start = line;
      line += 1;
      for (const v of values) if (v.length > 0 && (v.includes('\n') || v.includes('\r'))) line += lineBreaks(v);
      if (values.length === 1 && values[0] === '') continue;
      yield { kind: 'row', line: start, values, bytesRead: file.bytesRead };
    }
  } catch (error) {
    if ((error as { code?: string }).code === 'CSV_QUOTE_NOT_CLOSED') {
      yield { kind: 'unclosed-quote', line };
      return;
    }
    if (error instanceof Error && 'code' in error && typeof error.code === 'string' && error.code.startsWith('CSV_')) {
      throw inputError('file-unreadable', `${path}: line ${line}: ${error.message}`);
    }
    throw inputError('file-unreadable', `cannot read ${path}: ${(error as Error).message}`);
  } finally {
    file.destroy();
  }
}
