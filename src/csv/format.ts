/**
 * How a file is written, decided from the file itself before it is read:
 * its encoding and its separator. Each file is decided alone — a contact
 * log, and each registry or operators file given with it.
 *
 * - Encoding: UTF-16 with its byte-order mark (Excel's "Unicode Text") is
 *   read as such whatever `--encoding` says; a rejects file (its own header,
 *   after a UTF-8 byte-order mark) is UTF-8, as the tool wrote it; anything
 *   else is as `--encoding` says (UTF-8 by default). A header holding NUL
 *   bytes is UTF-16 without its mark, refused with what to do.
 * - Separator: `,`, `;` (Excel in much of Europe) or a tab, whichever splits
 *   the header into the most columns the file may have (names, reject
 *   columns, or headers the map names), so the guess can only land on a
 *   header that reads right; a comma when none does. `--delimiter` decides
 *   instead.
 */

import { closeSync, openSync, readSync } from 'node:fs';
import { inputError } from '../domain/errors.js';
import {
  type ColumnMap,
  type FileLayout,
  NO_MAP,
  isRejectColumn,
  isRejectsHeader,
  normaliseHeaderName,
} from './header.js';
import { type CsvFormat, DELIMITERS, type Delimiter, type Encoding, parseDelimiter, parseEncoding } from './reader.js';

export interface DeclaredFormat {
  /** `--encoding`, as given. */
  encoding?: string | undefined;
  /** `--delimiter`, as given. */
  delimiter?: string | undefined;
}

const HEAD_BYTES = 64 * 1024;

/** The first bytes of the file, or undefined if it cannot be read (the whole-file check says why). */
function headOf(path: string): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buffer = Buffer.alloc(HEAD_BYTES);
    return buffer.subarray(0, readSync(fd, buffer, 0, HEAD_BYTES, 0));
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

const startsWith = (head: Buffer, ...bytes: number[]) => bytes.every((b, i) => head[i] === b);

/** The first line, decoded well enough to read header names. */
function firstLine(head: Buffer, encoding: Encoding): string {
  const text =
    encoding === 'utf-16le' || encoding === 'utf-16be'
      ? new TextDecoder(encoding).decode(head)
      : head.toString(encoding === 'windows-1252' ? 'latin1' : 'utf8').replace(/^\ufeff/, '');
  return text.split(/\r\n|\n|\r/, 1)[0] ?? '';
}

/** Header names split at a separator, their quotes removed. */
function headerNames(line: string, delimiter: Delimiter): string[] {
  return line.split(delimiter).map((name) =>
    name
      .trim()
      .replace(/^"(.*)"$/s, '$1')
      .replace(/""/g, '"'),
  );
}

function encodingOf(path: string, head: Buffer, declared: Encoding): Encoding {
  if (startsWith(head, 0xff, 0xfe)) return 'utf-16le';
  if (startsWith(head, 0xfe, 0xff)) return 'utf-16be';
  if (declared === 'utf-16le' || declared === 'utf-16be') return declared;
  const lineEnd = head.findIndex((b) => b === 0x0a || b === 0x0d);
  if (head.subarray(0, lineEnd === -1 ? head.length : lineEnd).includes(0)) {
    throw inputError(
      'invalid-encoding',
      {
        value: path,
        detail:
          'holds NUL bytes in its header: it looks like UTF-16 (Excel\'s "Unicode Text") saved without its byte-order mark',
      },
      'save it from the spreadsheet as CSV UTF-8; or add --encoding utf-16 (utf-16be if it is big-endian)',
    );
  }
  if (startsWith(head, 0xef, 0xbb, 0xbf)) {
    // A rejects file says it is UTF-8 with its mark: read it so whatever --encoding says (the first file's, often).
    const names = DELIMITERS.flatMap((d) => headerNames(firstLine(head, 'utf-8'), d));
    if (isRejectsHeader(names)) return 'utf-8';
  }
  return declared;
}

/** The separator that makes the most header names ones the file may have. */
function delimiterOf(line: string, layout: FileLayout, map: ColumnMap): Delimiter {
  const recognised = (name: string) => {
    const normal = normaliseHeaderName(name);
    return map.columns.has(normal) || layout.known.includes(normal) || isRejectColumn(name);
  };
  let best: Delimiter = ',';
  let bestScore = headerNames(line, ',').filter(recognised).length;
  for (const d of DELIMITERS) {
    const score = headerNames(line, d).filter(recognised).length;
    if (score > bestScore) [best, bestScore] = [d, score];
  }
  return best;
}

export function decideFormat(
  path: string,
  declared: DeclaredFormat,
  layout: FileLayout,
  map: ColumnMap = NO_MAP,
): CsvFormat {
  const encoding = parseEncoding(declared.encoding);
  const delimiter = declared.delimiter === undefined ? undefined : parseDelimiter(declared.delimiter);
  const head = headOf(path);
  if (!head) return { encoding, delimiter: delimiter ?? ',' };
  const decided = encodingOf(path, head, encoding);
  return { encoding: decided, delimiter: delimiter ?? delimiterOf(firstLine(head, decided), layout, map) };
}
