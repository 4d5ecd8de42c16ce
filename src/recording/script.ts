/**
 * `run` scripts: one `record` argument list a line, read as a POSIX shell
 * reads it (shell-words.ts); blank lines and comments skipped, a trailing
 * backslash continuing the line. Read as a stream.
 */

import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { shellWords } from './shell-words.js';
import { inputError } from '../domain/errors.js';

export type ScriptLine =
  | { line: number; args: string[] }
  | { line: number; error: string };

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
      reject(inputError('file-unreadable', { value: path, detail: error.code === 'ENOENT' ? 'no such file' : error.message }));
    });
  });
  return stream;
}

/** `stdin`: what `-` reads. */
export async function* scriptLines(path: string, stdin: NodeJS.ReadableStream): AsyncGenerator<ScriptLine> {
  const lines = createInterface({ input: await openScript(path, stdin), crlfDelay: Infinity });
  let number = 0;
  let pending: { line: number; text: string } | undefined;
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
    if ('error' in read) yield { line: joined.line, error: read.error };
    else if (read.words.length > 0) yield { line: joined.line, args: withoutCommand(read.words) };
  }
  if (pending) {
    const read = shellWords(pending.text);
    if ('error' in read) yield { line: pending.line, error: read.error };
    else if ('words' in read && read.words.length > 0) yield { line: pending.line, args: withoutCommand(read.words) };
  }
}
