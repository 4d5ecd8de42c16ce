import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRecordArgs } from '../../src/import/record-options.js';
import { scriptLines, tokenise } from '../../src/import/script.js';

async function linesOf(text: string) {
  const file = join(mkdtempSync(join(tmpdir(), 'cis-script-')), 'script.txt');
  writeFileSync(file, text);
  const out = [];
  for await (const line of scriptLines(file)) out.push(line);
  return out;
}

describe('run script tokenising', () => {
  it('handles quotes inside quotes, escapes and # inside a quoted note', () => {
    expect(tokenise(`--notes "she said \\"call me\\" # not a comment" --action 'it'"'"'s done' # a comment`)).toEqual({
      args: ['--notes', 'she said "call me" # not a comment', '--action', "it's done"],
    });
    expect(tokenise('--contact-name Jo\\ Bloggs --notes "$HOME stays literal"')).toEqual({
      args: ['--contact-name', 'Jo Bloggs', '--notes', '$HOME stays literal'],
    });
  });

  it('accepts lines written as the whole command', () => {
    expect(tokenise('cis-contact record --utr 1')).toEqual({ args: ['--utr', '1'] });
    expect(tokenise('record --utr 1')).toEqual({ args: ['--utr', '1'] });
  });

  it('refuses unquoted shell operators', () => {
    expect(tokenise('--partners 1;2')).toEqual({ error: expect.stringMatching(/unquoted shell operator ;/) });
    expect(tokenise('--partners "1;2"')).toEqual({ args: ['--partners', '1;2'] });
  });

  it('skips blank lines and comments, joins a trailing backslash with the next line, keeps line numbers', async () => {
    const lines = await linesOf('# header\n\n--utr 1 \\\n  --subject Letter\n--notes "ends in a backslash \\\\"\n--utr 3 \\');
    expect(lines).toEqual([
      { line: 3, args: ['--utr', '1', '--subject', 'Letter'] },
      { line: 5, args: ['--notes', 'ends in a backslash \\'] },
      { line: 6, args: ['--utr', '3'] },
    ]);
  });

  it('parses lines against the record option table', () => {
    expect(parseRecordArgs(['--utr', '1955839661', '--subject', 'Letter', '--subject', 'Other', '--action', 'x', '--contact-type', 'agent'])).toEqual({
      utr: '1955839661', subject: ['Letter', 'Other'], action: ['x'], contactType: 'agent',
    });
    expect(parseRecordArgs(['--operator', '0123456'])).toEqual({ operator: '0123456' });
    expect(() => parseRecordArgs(['--utr', '1', '--utr', '2'])).toThrow(/--utr is given 2 times/);
    expect(() => parseRecordArgs(['--subjekt', 'Letter'])).toThrow(/unknown option '--subjekt'/);
    expect(() => parseRecordArgs(['--utr', '1', 'stray'])).toThrow(/unexpected argument 'stray'/);
  });
});
