/**
 * The words a POSIX shell would make of one `run` line, exactly, or why the
 * line cannot stand as it is. A script must never store text the user did
 * not write, so what a shell would read differently is refused, never
 * guessed: a quote left open at the end of the line, an unquoted operator
 * (`;` `|` `&` `<` `>` `(` `)`), command substitution (a backquote or `$(`,
 * quoted or not). `$NAME` stays as written: nothing is expanded.
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

export function shellWords(line: string): ShellWords {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  const end = () => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  while (i < line.length) {
    const c = line[i]!;
    if (BLANK.has(c)) {
      end();
      i++;
    } else if (c === '#' && !inWord) {
      break;
    } else if (c === '\\') {
      if (i + 1 === line.length) return { continues: true };
      word += line[i + 1];
      inWord = true;
      i += 2;
    } else if (c === "'") {
      const close = line.indexOf("'", i + 1);
      if (close === -1) return { error: `a single quote opened at column ${i + 1} is never closed on this line` };
      word += line.slice(i + 1, close);
      inWord = true;
      i = close + 1;
    } else if (c === '"') {
      inWord = true;
      let j = i + 1;
      for (;;) {
        if (j >= line.length) return { error: `a double quote opened at column ${i + 1} is never closed on this line` };
        const d = line[j]!;
        if (d === '"') break;
        if (d === '`' || (d === '$' && line[j + 1] === '(')) return { error: `command substitution (${d === '`' ? '`' : '$('}) at column ${j + 1}: quote it with single quotes to keep it as text` };
        if (d === '\\' && j + 1 < line.length && ESCAPABLE_IN_DOUBLE.has(line[j + 1]!)) {
          word += line[j + 1];
          j += 2;
          continue;
        }
        if (d === '\\' && j + 1 === line.length) return { error: `a double quote opened at column ${i + 1} is never closed on this line` };
        word += d;
        j++;
      }
      i = j + 1;
    } else if (OPERATORS.has(c) || c === '`' || (c === '$' && line[i + 1] === '(')) {
      const what = c === '$' ? '$(' : c;
      return { error: `unquoted ${what} at column ${i + 1}: a shell would read it as ${c === '`' || c === '$' ? 'a command' : 'an operator'}; quote the value that holds it` };
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  end();
  return { words };
}
