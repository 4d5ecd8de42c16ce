/**
 * `run` scripts: one `record` argument list a line, shell-style quoting
 * (single and double quotes, backslash escapes), blank lines and `#` comments
 * skipped, a trailing backslash continuing the line. Read as a stream.
 */

import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parse } from 'shell-quote';
import { inputError } from '../domain/errors.js';

export type ScriptLine =
  | { line: number; args: string[] }
  | { line: number; error: string };

/** Shell words of one line; `$NAME` stays literal, and shell operators are refused. */
export function tokenise(text: string): { args: string[] } | { error: string } {
  const words = parse(text, (name) => `$${name}`);
  const args: string[] = [];
  for (const word of words) {
    if (typeof word === 'string') args.push(word);
    else if ('comment' in word) break;
    else if ('op' in word && word.op === 'glob') args.push((word as { pattern: string }).pattern);
    else return { error: `unquoted shell operator ${(word as { op: string }).op}: quote the value that holds it` };
  }
  // A line may be written as the whole command.
  if (args[0] === 'cis-contact') args.shift();
  if (args[0] === 'record') args.shift();
  return { args };
}

function continues(text: string): boolean {
  const trailing = /\\+$/.exec(text);
  return trailing !== null && trailing[0].length % 2 === 1;
}

async function openScript(path: string): Promise<NodeJS.ReadableStream> {
  if (path === '-') return process.stdin;
  const stream = createReadStream(path, { encoding: 'utf8' });
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (error: NodeJS.ErrnoException) => {
      reject(inputError('file-unreadable', `cannot read ${path}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`));
    });
  });
  return stream;
}

export async function* scriptLines(path: string): AsyncGenerator<ScriptLine> {
  const lines = createInterface({ input: await openScript(path), crlfDelay: Infinity });
  let number = 0;
  let pending: { line: number; text: string } | undefined;
  for await (const raw of lines) {
    number++;
    const text = number === 1 ? raw.replace(/^\ufeff/, '') : raw;
    const joined = pending ? { line: pending.line, text: pending.text + text } : { line: number, text };
    if (continues(joined.text)) {
      pending = { line: joined.line, text: joined.text.slice(0, -1) };
      continue;
    }
    pending = undefined;
    const trimmed = joined.text.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const words = tokenise(joined.text);
    yield 'error' in words ? { line: joined.line, error: words.error } : { line: joined.line, args: words.args };
  }
  if (pending && pending.text.trim() !== '') {
    const words = tokenise(pending.text);
    yield 'error' in words ? { line: pending.line, error: words.error } : { line: pending.line, args: words.args };
  }
}
