/**
 * Outputs never overwrite inputs. A rejects file that is one of the command's
 * own inputs (through another path or a link too) would destroy the file
 * being read, so it is refused before anything is read; and an existing file
 * is overwritten only if it is itself a rejects file.
 */

import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { inputError } from '../domain/errors.js';
import { isRejectsHeader } from '../csv/header.js';

function statOf(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** The first line of a file, a byte-order mark dropped. */
function firstLine(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const read = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, read).toString('utf8').replace(/^\ufeff/, '').split(/\r?\n/)[0] ?? '';
  } finally {
    closeSync(fd);
  }
}

export function isRejectsFile(path: string): boolean {
  try {
    return isRejectsHeader(firstLine(path).replace(/"/g, '').split(','));
  } catch {
    return false;
  }
}

/** Refuses, with `output-is-input`, any output that is one of the inputs or an existing file that is not a rejects file. */
export function guardOutputs(outputs: readonly string[], inputs: readonly (string | undefined)[]): void {
  for (const output of outputs) {
    const written = statOf(output);
    // Nothing there yet, or not a file (/dev/null, a pipe): nothing to lose.
    if (!written?.isFile()) continue;
    for (const input of inputs) {
      const read = input === undefined ? undefined : statOf(input);
      if (read && read.dev === written.dev && read.ino === written.ino) {
        throw inputError('output-is-input', `${output} is the input ${input}: writing rejected rows there would destroy the file being read`,
          'choose another --rejects path; nothing was read or written');
      }
    }
    if (!isRejectsFile(output)) {
      throw inputError('output-is-input', `${output} exists and is not a rejects file: cis-contact overwrites only its own rejects files`,
        'choose another --rejects path, or move that file away; nothing was read or written');
    }
  }
}
