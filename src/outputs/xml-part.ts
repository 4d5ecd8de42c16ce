/**
 * An XML part of a zip archive, fed to saxes as it streams. The caller sets
 * the parser's handlers; after each chunk it may hand on what that chunk
 * completed (a worksheet's rows), so nothing waits for the whole part.
 */

import type { Readable } from 'node:stream';
import type { SaxesParser } from 'saxes';

/** Yields once a chunk has been parsed, and returns when the part is. saxes throws on XML that is not well formed. */
export async function* fedInChunks(parser: SaxesParser, stream: Readable): AsyncGenerator<void> {
  // Decoded as UTF-8 by the stream, so a character split between two chunks is whole when parsed.
  stream.setEncoding('utf8');
  for await (const chunk of stream) {
    parser.write(chunk as string);
    yield;
  }
  parser.close();
}

/** Parses a whole part (a small one: the workbook, its relationships, its styles). */
export async function parseWhole(parser: SaxesParser, stream: Readable): Promise<void> {
  for await (const _ of fedInChunks(parser, stream)) {
    // The handlers keep what the part holds.
  }
}

/** An element's or attribute's name without its namespace prefix (`x:row` is a `row`). */
export function localName(name: string): string {
  return name.slice(name.indexOf(':') + 1);
}
