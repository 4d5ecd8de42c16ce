/**
 * `run` scripts: one `record` argument list a line, read as a POSIX shell
 * reads it (shell-words.ts); blank lines and comments skipped, a trailing
 * backslash continuing the line. Read as a stream.
 */

import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { shellWords } from './shell-words.js';
import { inputError, usageError } from '../domain/errors.js';

/** One script line as read: `line` is where it starts, `last` where it ends (a trailing backslash continues it). */
export type ScriptLine = { line: number; last: number; args: string[] } | { line: number; last: number; error: string };

/** A line written as the whole command (`cis-contact record …`) means the same as its flags. */
function withoutCommand(words: string[]): string[] {
  if (words[0] === 'cis-contact') words.shift();
  if (words[0] === 'record') words.shift();
  return words;
}

async function openScript(path: string, stdin: NodeJS.ReadableStream): Promise<NodeJS.ReadableStream> {
  if (path === '-') return stdin;
  const stream = createReadStream(path, { encoding: 'utf8' });
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        inputError('file-unreadable', {
          value: path,
          detail: error.code === 'ENOENT' ? 'no such file' : error.message,
        }),
      );
    });
  });
  return stream;
}

/**
 * The script's lines from `fromLine` on (`run --from-line`): the lines before
 * it are read, so that a continued line is known, but not yielded; a
 * `fromLine` inside a continued line is refused, as it names no line.
 * `stdin`: what `-` reads.
 */
export async function* scriptLines(
  path: string,
  stdin: NodeJS.ReadableStream,
  fromLine = 1,
): AsyncGenerator<ScriptLine> {
  const lines = createInterface({ input: await openScript(path, stdin), crlfDelay: Infinity });
  let number = 0;
  let pending: { line: number; text: string } | undefined;
  const item = (line: number, last: number, read: { error: string } | { words: string[] }): ScriptLine | undefined => {
    if (line < fromLine && last >= fromLine) {
      throw usageError(
        `--from-line ${fromLine} is inside the line that starts at line ${line} and is continued (a trailing backslash) to line ${last}`,
        `resume with --from-line ${line} to run that line, or --from-line ${last + 1} to leave it out`,
      );
    }
    if (line < fromLine) return undefined;
    if ('error' in read) return { line, last, error: read.error };
    return read.words.length > 0 ? { line, last, args: withoutCommand(read.words) } : undefined;
  };
  for await (const raw of lines) {
    number++;
    const text = number === 1 ? raw.replace(/^\ufeff/, '') : raw;
    const joined = pending ? { line: pending.line, text: pending.text + text } : { line: number, text };
    const read = shellWords(joined.text);
    if ('continues' in read) {
      pending = { line: joined.line, text: joined.text.slice(0, -1) };
      continue;
    }
    pending = undefined;
    const next = item(joined.line, number, read);
    if (next) yield next;
  }
  if (pending) {
    const read = shellWords(pending.text);
    const next = 'continues' in read ? undefined : item(pending.line, number, read);
    if (next) yield next;
  }
}
