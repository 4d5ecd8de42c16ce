/**
 * Outputs never overwrite inputs. A rejects file that is one of the command's
 * own inputs (through another path or a link too) would destroy the file
 * being read, so it is refused before anything is read; and an existing file
 * is overwritten only if it is a rejects file cis-contact wrote and nobody
 * has changed since. Nor is any output (or its checksum) written through a
 * link or in a folder another account may change (private-file.ts).
 */

import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { inputError } from '../domain/errors.js';
import { isRejectsHeader } from '../csv/header.js';
import { checksumMissing, checksumPathOf, writtenByUsAndUnchanged } from './written-files.js';
import { assertSafeOutput } from './private-file.js';

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
    return (
      buffer
        .subarray(0, read)
        .toString('utf8')
        .replace(/^\ufeff/, '')
        .split(/\r?\n/)[0] ?? ''
    );
  } finally {
    closeSync(fd);
  }
}

function isRejectsFile(path: string): boolean {
  try {
    return isRejectsHeader(firstLine(path).replace(/"/g, '').split(','));
  } catch {
    return false;
  }
}

/** A file the command writes, and the flag that chooses another path for it (if any). */
export interface Output {
  path: string;
  flag?: string | undefined;
}

/**
 * Refuses, with `output-is-input`, any output that is one of the inputs, or
 * an existing file that cis-contact did not write or that was changed since
 * (written-files.ts): a rejects file being corrected is never overwritten;
 * and, with `output-unsafe`, one another account could redirect.
 */
export function guardOutputs(outputs: readonly Output[], inputs: readonly (string | undefined)[]): void {
  for (const { path: output, flag } of outputs) {
    guardOutput(output, flag, inputs);
    assertSafeOutput(output, flag);
    assertSafeOutput(checksumPathOf(output), flag);
  }
  for (const { path: output, flag } of outputs) guardExisting(output, flag);
}

/** What a file the flag names holds, for messages: the rejected rows, the rows with warnings, or every row's outcome. */
function contentsOf(flag: string | undefined): string {
  if (flag === '--outcomes') return "every row's outcome";
  if (flag === '--warnings') return 'the rows with warnings';
  return 'rejected rows';
}

function elsewhereOf(flag: string | undefined): string {
  return flag ? `give this run's file another path with ${flag}, or move that one away` : 'move that file away';
}

/** Through any path or link, the output must not be an input. */
function guardOutput(output: string, flag: string | undefined, inputs: readonly (string | undefined)[]): void {
  const written = statOf(output);
  if (!written?.isFile()) return;
  for (const input of inputs) {
    const read = input === undefined ? undefined : statOf(input);
    if (read && read.dev === written.dev && read.ino === written.ino) {
      throw inputError(
        'output-is-input',
        {
          value: output,
          detail: `is the input ${input}: writing ${contentsOf(flag)} there would destroy the file being read`,
        },
        `${elsewhereOf(flag)}; nothing was read or written`,
      );
    }
  }
}

/** An existing file is overwritten only if it is a rejects file cis-contact wrote and nobody changed since. */
function guardExisting(output: string, flag: string | undefined): void {
  const written = statOf(output);
  // Nothing there yet, or not a file (/dev/null, a pipe): nothing to lose.
  if (!written?.isFile()) return;
  if (writtenByUsAndUnchanged(output)) return;
  const elsewhere = elsewhereOf(flag);
  // Its checksum is written after it takes its name: without one, the run that wrote it was stopped in between.
  if (isRejectsFile(output) && checksumMissing(output)) {
    throw inputError(
      'output-is-input',
      {
        value: output,
        detail: `was left by an interrupted import (no checksum stands beside it, so it may not be whole): move it away${flag ? ` or pass ${flag} with another path` : ''}`,
      },
      'import it only once you have checked it is whole; nothing was read or written',
    );
  }
  if (isRejectsFile(output)) {
    throw inputError(
      'output-is-input',
      {
        value: output,
        detail:
          'has been changed since cis-contact wrote it, or was not written by it: it may hold your corrections, and is never overwritten',
      },
      `import it if it is ready, or ${elsewhere}; nothing was read or written`,
    );
  }
  throw inputError(
    'output-is-input',
    {
      value: output,
      detail: 'exists and was not written by cis-contact: it overwrites only a file it wrote itself, unchanged since',
    },
    `${elsewhere}; nothing was read or written`,
  );
}
