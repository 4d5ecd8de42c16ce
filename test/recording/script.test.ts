import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRecordArgs } from '../../src/recording/record-options.js';
import { scriptLines } from '../../src/recording/script.js';
import { shellWords } from '../../src/recording/shell-words.js';
import { scratchFolder } from '../support/scratch.js';

async function linesOf(text: string) {
  const file = join(scratchFolder('cis-script-'), 'script.txt');
  writeFileSync(file, text);
  const out = [];
  for await (const line of scriptLines(file, process.stdin)) out.push(line);
  return out;
}

/** What bash makes of a line: its words, or null where it refuses the line. Run in an empty folder, so no glob matches. */
const empty = scratchFolder('cis-shell-');
const BASH_ENV = { PATH: process.env.PATH, HOME: empty, NAME: 'name-value', X: 'x-value' };
/** The script bash runs for one line. The blank line after it: a line we refuse before reaching its trailing backslash must not join the printf. */
const scriptFor = (line: string) => `set -- ${line}\n\nprintf '%s' "$#"; for w in "$@"; do printf '\\0%s' "$w"; done`;

/** Reads what one `bash -c` of scriptFor(line) printed and whether it failed. */
function wordsFrom(status: number | null, stdout: string, stderr: string): string[] | null {
  if (status !== 0 || stderr !== '') return null;
  const [count, ...words] = stdout.split('\0');
  expect(words).toHaveLength(Number(count));
  return words;
}

function bashWords(line: string): string[] | null {
  const r = spawnSync('bash', ['-c', scriptFor(line)], {
    cwd: empty,
    encoding: 'utf8',
    env: BASH_ENV,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return wordsFrom(r.status, r.stdout, r.stderr);
}

/**
 * bashWords for many lines at once: the same `bash -c` for each line, each a
 * process of its own, started by one bash instead of by this test process
 * (a spawn from a test worker of a gigabyte costs about 20 ms; 400 of them
 * were 9 s of the suite).
 */
function bashWordsOfAll(lines: string[]): Map<string, string[] | null> {
  const folder = scratchFolder('cis-shell-batch-');
  lines.forEach((line, i) => writeFileSync(join(folder, `${i}.sh`), scriptFor(line)));
  const driver = `for ((i = 0; i < ${lines.length}; i++)); do
  bash -c "$(cat "$1/$i.sh")" >"$1/$i.out" 2>"$1/$i.err"; echo $? >"$1/$i.status"
done`;
  const r = spawnSync('bash', ['-c', driver, 'driver', folder], { cwd: empty, env: BASH_ENV, stdio: 'ignore' });
  expect(r.status).toBe(0);
  const read = (i: number, what: string) => readFileSync(join(folder, `${i}.${what}`), 'utf8');
  return new Map(lines.map((line, i) => [line, wordsFrom(Number(read(i, 'status')), read(i, 'out'), read(i, 'err'))]));
}

describe('run script lines read as a shell reads them', () => {
  it('keeps # inside a word, quotes inside quotes, escapes; # starts a comment only where a word could start', () => {
    expect(shellWords('--notes invoice#5 --ref RH-1')).toEqual({ words: ['--notes', 'invoice#5', '--ref', 'RH-1'] });
    expect(shellWords('--notes #5 --ref RH-2')).toEqual({ words: ['--notes'] });
    expect(shellWords(`--notes "she said \\"call me\\" # not a comment" --action 'it'"'"'s done' # a comment`)).toEqual(
      {
        words: ['--notes', 'she said "call me" # not a comment', '--action', "it's done"],
      },
    );
    expect(
      shellWords(`--contact-name Jo\\ Bloggs --notes '$HOME and ~/x stay as written' --action \\$USER --ref a~b`),
    ).toEqual({
      words: [
        '--contact-name',
        'Jo Bloggs',
        '--notes',
        '$HOME and ~/x stay as written',
        '--action',
        '$USER',
        '--ref',
        'a~b',
      ],
    });
    // A $ before nothing a shell expands is text, as in sh.
    expect(shellWords('--notes "$ and $%" x$ $')).toEqual({ words: ['--notes', '$ and $%', 'x$', '$'] });
  });

  it('refuses what a shell would expand, naming it and saying to single-quote it: parameters, unquoted or in double quotes, and a ~ a shell reads as a home directory', () => {
    const refused: [string, RegExp][] = [
      [
        '--action "dq $HOME"',
        /^\$HOME at column 14: a shell would expand it; put it in single quotes to keep it as text$/,
      ],
      ['--notes $NAME', /^\$NAME at column 9/],
      ['--notes ${X}y', /^\$\{X\} at column 9/],
      ['--notes "${X:-default}"', /^\$\{X:-default\} at column 10/],
      ['--notes "cost $5"', /^\$5 at column 15/],
      ['--notes $?', /^\$\? at column 9/],
      ['--notes "$[1+1]"', /^\$\[ at column 10/],
      ["--notes $'a'", /^\$' at column 9/],
      [
        '--notes "$(id)"',
        /^command substitution \(\$\(\) at column 10: a shell would run it as a command; put it in single quotes/,
      ],
      [
        '--action ~/x',
        /^~ at column 10: a shell would expand it to a home directory; put it in single quotes to keep it as text$/,
      ],
      ['--action ~', /^~ at column 10/],
      ['--action ~root', /^~ at column 10/],
      ['--notes a=~/x', /^~ at column 11/],
      ['--notes PATH=/bin:~/bin', /^~ at column 19/],
    ];
    for (const [line, message] of refused)
      expect(shellWords(line), line).toEqual({ error: expect.stringMatching(message) });
    // Quoted or escaped, or not where a shell reads a home directory, each is text.
    for (const [line, word] of [
      [`'$HOME'`, '$HOME'],
      ['\\$HOME', '$HOME'],
      ['"\\$HOME"', '$HOME'],
      ['"~/x"', '~/x'],
      ['\\~', '~'],
      ['a~b', 'a~b'],
      ['--notes=~/x', '--notes=~/x'],
      ['"a"=~', 'a=~'],
      ["'$(id)'", '$(id)'],
    ]) {
      expect(shellWords(line!), line).toEqual({ words: [word] });
    }
  });

  it('refuses a quote left open, unquoted operators and command substitution', () => {
    expect(shellWords('--notes "line1')).toEqual({
      error: expect.stringMatching(/double quote opened at column 9 is never closed/),
    });
    expect(shellWords("--notes 'line1")).toEqual({ error: expect.stringMatching(/single quote/) });
    for (const line of [
      '--partners 1;2',
      '--notes a|b',
      '--notes a&b',
      '--notes <x',
      '--notes (x)',
      '--notes `id`',
      '--notes $(id)',
      '--notes "$(id)"',
    ]) {
      expect(shellWords(line), line).toEqual({ error: expect.any(String) });
    }
    expect(shellWords('--partners "1;2"')).toEqual({ words: ['--partners', '1;2'] });
  });

  // Words as scripts hold them: letters, digits, unicode, #, quotes, backslashes, leading dashes, spaces.
  const piece = fc.oneof(
    fc.constantFrom(
      'a',
      'Z',
      '9',
      'é',
      '£',
      '日',
      '-',
      '--',
      '#',
      ' ',
      '  ',
      '\t',
      '\\',
      '"',
      "'",
      ',',
      '.',
      '=',
      '/',
      ':',
      '%',
      '+',
      '@',
    ),
    // What a shell expands, and the same kept as text.
    fc.constantFrom('$NAME', '${X}', '~', '~/x', 'a~b', "'$HOME'", '\\$HOME', '$', '$1', '$(', '`'),
    fc.string({ unit: fc.constantFrom('x', 'y', '1', '-', '#', ' ', 'é'), maxLength: 4 }),
  );
  const line = fc.array(piece, { maxLength: 12 }).map((parts) => parts.join(''));

  it('property: yields the words bash yields for every line it accepts, fails every line bash refuses, and refuses only for that or an expansion', () => {
    // The lines fast-check will try, asked of bash in one batch; a line it makes while shrinking a failure is asked alone.
    const seed = Date.now() % 2 ** 31;
    const runs = 400;
    const sampled = fc.sample(line, { seed, numRuns: runs });
    const asked = bashWordsOfAll(sampled);
    // The batch answers as bash asked line by line does (but for `$$`, each bash's own process number).
    const comparable = sampled.filter((text) => !text.includes('$$')).slice(0, 10);
    for (const text of comparable) expect(asked.get(text), text).toEqual(bashWords(text));
    fc.assert(
      fc.property(line, (text) => {
        const read = shellWords(text);
        if ('continues' in read) return; // a trailing backslash: joined with the next line, tested below
        const expected = asked.has(text) ? asked.get(text)! : bashWords(text);
        // bash runs with HOME and the generated names set, so an expansion read as text would show as different words.
        if ('words' in read) expect(read.words, text).toEqual(expected);
        else if (expected !== null) expect(read.error, text).toMatch(/a shell would (expand it|run it as a command)/);
      }),
      { seed, numRuns: runs },
    );
  });

  it('accepts lines written as the whole command; skips blank lines and comments; joins a trailing backslash; keeps line numbers', async () => {
    const lines = await linesOf(
      '# header\n\ncis-contact record --utr 1 \\\n  --subject Letter\nrecord --notes "ends in a backslash \\\\"\n--notes "open\nclosed" --utr 3\n--utr 4 \\',
    );
    expect(lines).toEqual([
      { line: 3, last: 4, args: ['--utr', '1', '--subject', 'Letter'] },
      { line: 5, last: 5, args: ['--notes', 'ends in a backslash \\'] },
      { line: 6, last: 6, error: expect.stringMatching(/never closed/) },
      { line: 7, last: 7, error: expect.stringMatching(/never closed/) },
      { line: 8, last: 8, args: ['--utr', '4'] },
    ]);
  });
});

describe('record flags, the same for record and run', () => {
  it('groups --action and --notes with the --subject before them when there are several', () => {
    const flags = parseRecordArgs([
      '--utr',
      '1955839661',
      '--subject',
      'Callback',
      '--action',
      'A',
      '--notes',
      'n1',
      '--subject',
      'Complaint',
      '--action',
      'B',
      '--subject',
      'Other',
      '--action',
      'C',
      '--notes',
      'n3',
      '--contact-type',
      'agent',
    ]);
    expect(flags).toEqual({
      utr: '1955839661',
      contactType: 'agent',
      enquiries: [
        { subject: 'Callback', action: 'A', notes: 'n1' },
        { subject: 'Complaint', action: 'B' },
        { subject: 'Other', action: 'C', notes: 'n3' },
      ],
    });
    expect(parseRecordArgs(['--notes', 'n', '--action', 'a', '--subject', 'Letter']).enquiries).toEqual([
      { subject: 'Letter', action: 'a', notes: 'n' },
    ]);
    expect(() => parseRecordArgs(['--action', 'a', '--subject', 'Letter', '--subject', 'Other'])).toThrow(
      /before the first --subject/,
    );
    expect(() =>
      parseRecordArgs(['--subject', 'Letter', '--notes', 'a', '--notes', 'b', '--subject', 'Other']),
    ).toThrow(/--notes is given twice for --subject Letter/);
  });

  it('takes values that start with a dash, accumulates --partners, and refuses a flag without its value', () => {
    expect(
      parseRecordArgs(['--action', '-minus start', '--notes', '-5 days late', '--subject', 'Letter']).enquiries,
    ).toEqual([{ subject: 'Letter', action: '-minus start', notes: '-5 days late' }]);
    expect(parseRecordArgs(['--partners', 'A', '--partners', 'B;C']).partners).toBe('A;B;C');
    expect(() => parseRecordArgs(['--utr', '1', '--notes'])).toThrow(/--notes needs a value/);
    expect(() => parseRecordArgs(['--utr', '1', '--utr', '2'])).toThrow(/--utr is given more than once/);
    expect(() => parseRecordArgs(['--subjekt', 'Letter'])).toThrow(/unknown option '--subjekt'/);
    expect(() => parseRecordArgs(['stray', '--utr', '1'])).toThrow(/unexpected argument 'stray'/);
    expect(() => parseRecordArgs(['--utr', '1', 'stray'])).toThrow(
      "unexpected word 'stray' after --utr 1: every value follows its own --flag, so if it belongs to that value, quote the value whole: --utr '1 stray'",
    );
    expect(() => parseRecordArgs(['--subject', 'Letter', '--action', "it's", 'done', 'now', '--notes', 'n'])).toThrow(
      "unexpected words 'done' 'now' after --action 'it'\\''s': every value follows its own --flag, so if they belong to that value, quote the value whole: --action 'it'\\''s done now'",
    );
  });

  it('yargs-parser reads --flag=value as --flag value, and anything outside the table is refused, with the flag meant when it is close', () => {
    expect(
      parseRecordArgs(['--utr=0123456789', '--subject=Letter', '--notes', 'a=b', '--partners=A', '--partners', 'B']),
    ).toEqual({
      utr: '0123456789',
      partners: 'A;B',
      enquiries: [{ subject: 'Letter', notes: 'a=b' }],
    });
    // Digits stay text: a UTR or PID with a leading zero is not turned into a number.
    expect(parseRecordArgs(['--operator', '0123456']).operator).toBe('0123456');
    expect(() => parseRecordArgs(['--subjekt', 'Letter'])).toThrow(
      "unknown option '--subjekt'; did you mean --subject?",
    );
    expect(() => parseRecordArgs(['--utr', '1', '--chanel=email'])).toThrow(
      "unknown option '--chanel'; did you mean --channel?",
    );
    expect(() => parseRecordArgs(['--zebra', 'x'])).toThrow(/^unknown option '--zebra'$/);
    expect(() => parseRecordArgs(['--no-utr'])).toThrow(/^unknown option '--no-utr'$/);
    expect(() => parseRecordArgs(['-s', 'Letter'])).toThrow(/^unknown option '-s'$/);
    expect(() => parseRecordArgs(['--utr', '1', '--'])).toThrow(/unexpected word '--' after --utr 1/);
    // A flag followed by another of record's flags has lost its value: said so, rather than taking the flag as the value.
    expect(() => parseRecordArgs(['--notes', '--subject', '--subject', 'Letter'])).toThrow(
      '--notes has no value: the word after it is --subject, another flag.',
    );
    expect(() => parseRecordArgs(['--channel', '--again'])).toThrow(
      '--channel has no value: the word after it is --again',
    );
    // A value that really starts with a flag's name is written --flag=value.
    expect(parseRecordArgs(['--notes=--subject', '--subject', 'Letter']).enquiries).toEqual([
      { subject: 'Letter', notes: '--subject' },
    ]);
    expect(parseRecordArgs(['--subject', 'Letter', '--again'])).toMatchObject({ again: true });
  });
});
