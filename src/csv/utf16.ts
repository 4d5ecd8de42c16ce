/**
 * UTF-16 files (Excel's "Unicode Text") are read as UTF-8: decoded as they
 * stream in and encoded again, so everything after this reads one
 * ASCII-compatible encoding, where quotes, separators and line breaks are
 * single bytes. Decoding is strict: bytes that are not UTF-16 (a lone
 * surrogate, an odd byte at the end) are fatal, never replaced.
 */

import { inputError } from '../domain/errors.js';

export type Utf16 = 'utf-16le' | 'utf-16be';

export async function* utf16AsUtf8(
  chunks: AsyncIterable<Buffer>,
  encoding: Utf16,
  path: string,
): AsyncGenerator<Buffer> {
  // The byte-order mark is dropped by the decoder.
  const decoder = new TextDecoder(encoding, { fatal: true });
  let lines = 1;
  const decode = (chunk?: Buffer) => {
    try {
      return chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode();
    } catch {
      throw inputError(
        'invalid-encoding',
        {
          value: path,
          detail: `is not valid ${encoding === 'utf-16le' ? 'UTF-16 (little-endian)' : 'UTF-16 (big-endian)'}: line ${lines} holds bytes that UTF-16 cannot have`,
        },
        'save the file from the spreadsheet again, as CSV UTF-8',
      );
    }
  };
  for await (const chunk of chunks) {
    const text = decode(chunk);
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++;
    if (text.length > 0) yield Buffer.from(text, 'utf8');
  }
  const tail = decode();
  if (tail.length > 0) yield Buffer.from(tail, 'utf8');
}
