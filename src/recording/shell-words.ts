/**
 * The words a POSIX shell would make of one `run` line, exactly, or why the
 * line cannot stand as it is. A script must never store text the user did
 * not write, nor less than a shell would have read, so what a shell would
 * read differently is refused, never guessed: a quote left open at the end
 * of the line, an unquoted operator (`;` `|` `&` `<` `>` `(` `)`), and every
 * expansion — command substitution (a backquote or `$(`), a parameter
 * (`$NAME`, `${…}`, `$1`, `$?` …, and `$[…]` arithmetic) unquoted or in
 * double quotes, and a `~` where a shell reads a home directory (starting a
 * word, or after the `=` or a `:` of a word written like `NAME=…`, as bash
 * reads it). Single quotes or a backslash keep each of them as text.
 *
 * Quoting as in sh: '…' keeps everything; "…" keeps everything but `\` before
 * `$`, backquote, `"`, `\` and a line break; an unquoted `\` keeps the next
 * character and joins lines; `#` starts a comment only where a word could
 * start (so `invoice#5` is one word).
 */

export type ShellWords =
  | { words: string[] }
  /** The line ends in an unquoted backslash: the next line continues it. */
  | { continues: true }
  | { error: string };

const OPERATORS = new Set([';', '|', '&', '<', '>', '(', ')']);
const BLANK = new Set([' ', '\t']);
const ESCAPABLE_IN_DOUBLE = new Set(['$', '`', '"', '\\']);
/** What a `$` before it makes an expansion: a name, `{`, `(`, `[`, a positional or special parameter. */
const EXPANDS_AFTER_DOLLAR = /[A-Za-z_0-9{([@*#?$!-]/;
/** Unquoted, bash also reads `$'…'` and `$"…"`, quoting that sh does not have. */
const BASH_QUOTE = /['"]/;
const expandsAfterDollar = (next: string | undefined, quoted: boolean) =>
  next !== undefined && (EXPANDS_AFTER_DOLLAR.test(next) || (!quoted && BASH_QUOTE.test(next)));
/** A word written like an assignment: bash expands a `~` after its `=` or a `:`. */
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

const KEEP = 'put it in single quotes to keep it as text';

/** The expansion starting at `line[at]` (a `$`), as the user wrote it, for a message. */
function expansionAt(line: string, at: number): string {
  const name = /^\$(?:[A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-]|\{[^}]*\}?|.)/.exec(line.slice(at));
  return name![0];
}

function expansionError(line: string, at: number): string {
  if (line[at + 1] === '(')
    return `command substitution ($() at column ${at + 1}: a shell would run it as a command; ${KEEP}`;
  return `${expansionAt(line, at)} at column ${at + 1}: a shell would expand it; ${KEEP}`;
}

export function shellWords(line: string): ShellWords {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  /** Where the current word starts in the line: `-1` between words. */
  let wordStart = -1;
  let i = 0;
  const startWord = () => {
    if (!inWord) wordStart = i;
    inWord = true;
  };
  const end = () => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
    wordStart = -1;
  };
  /** An unquoted `~` at `i` that a shell would read as a home directory. */
  const tildeExpands = () => {
    if (!inWord) return true;
    if (line[i - 1] !== '=' && line[i - 1] !== ':') return false;
    return ASSIGNMENT.test(line.slice(wordStart, i));
  };
  while (i < line.length) {
    const c = line.charAt(i);
    if (BLANK.has(c)) {
      end();
      i++;
    } else if (c === '#' && !inWord) {
      break;
    } else if (c === '\\') {
      if (i + 1 === line.length) return { continues: true };
      startWord();
      word += line[i + 1];
      i += 2;
    } else if (c === "'") {
      const close = line.indexOf("'", i + 1);
      if (close === -1) return { error: `a single quote opened at column ${i + 1} is never closed on this line` };
      startWord();
      word += line.slice(i + 1, close);
      i = close + 1;
    } else if (c === '"') {
      startWord();
      let j = i + 1;
      for (;;) {
        if (j >= line.length) return { error: `a double quote opened at column ${i + 1} is never closed on this line` };
        const d = line.charAt(j);
        if (d === '"') break;
        if (d === '`')
          return { error: `command substitution (\`) at column ${j + 1}: a shell would run it as a command; ${KEEP}` };
        if (d === '$' && expandsAfterDollar(line[j + 1], true)) return { error: expansionError(line, j) };
        if (d === '\\' && j + 1 < line.length && ESCAPABLE_IN_DOUBLE.has(line.charAt(j + 1))) {
          word += line[j + 1];
          j += 2;
          continue;
        }
        if (d === '\\' && j + 1 === line.length)
          return { error: `a double quote opened at column ${i + 1} is never closed on this line` };
        word += d;
        j++;
      }
      i = j + 1;
    } else if (OPERATORS.has(c)) {
      return {
        error: `unquoted ${c} at column ${i + 1}: a shell would read it as an operator; quote the value that holds it`,
      };
    } else if (c === '`') {
      return { error: `command substitution (\`) at column ${i + 1}: a shell would run it as a command; ${KEEP}` };
    } else if (c === '$' && expandsAfterDollar(line[i + 1], false)) {
      return { error: expansionError(line, i) };
    } else if (c === '~' && tildeExpands()) {
      return { error: `~ at column ${i + 1}: a shell would expand it to a home directory; ${KEEP}` };
    } else {
      startWord();
      word += c;
      i++;
    }
  }
  end();
  return { words };
}
