/**
 * The `record` flags, defined once: `record` builds its commander
 * options from this table and `run` parses script lines with yargs-parser
 * configured from the same table, so the two can never drift apart.
 */

import { type RecordFlagKey, type RecordFlags, flagKey } from './record-flags.js';
import { CONTACT_INPUTS, ENQUIRY_INPUTS, FORMS, INPUT_FLAGS } from '../domain/layout.js';
import { type Command, Option } from 'commander';
import yargsParser from 'yargs-parser';
import { type CisError, usageError } from '../domain/errors.js';

export interface RecordOptionSpec {
  /** The flag name without dashes. */
  flag: string;
  /** The contact field it fills. */
  key: RecordFlagKey;
  value: string;
  description: string;
  repeatable?: boolean;
}

/** Whether `flag` and `value` stand as two words side by side (not `--flag=value`). */
function followsFlag(words: readonly string[], flag: string, value: string): boolean {
  return words.some((word, i) => word === flag && words[i + 1] === value);
}

/**
 * Gives a commander command (`record`) the record flags: each value, as it is
 * read, is pushed to `given` in the order given (`flagsFromEvents` makes the
 * flags of them). `argv`: the words given, to tell `--channel --auth x` (a
 * flag with no value) from `--channel=--auth`.
 */
export function addRecordOptions(command: Command, given: FlagEvent[], argv: readonly string[]): Command {
  for (const spec of RECORD_OPTIONS) {
    command.addOption(
      new Option(`--${spec.flag} <${spec.value.toLowerCase()}>`, spec.description).argParser((value: string) => {
        // Commander takes the next word whatever it is: `--channel --auth x` would give --channel the value --auth.
        if (isRecordFlagWord(value) && followsFlag(argv, `--${spec.flag}`, value))
          throw flagWithoutValueError(`--${spec.flag}`, value);
        given.push({ flag: spec.flag, value });
        return value;
      }),
    );
  }
  return command;
}

/** `record`'s flags, from the layout's input fields: each flag's name, its value, what it is for. */
export const RECORD_OPTIONS: readonly RecordOptionSpec[] = INPUT_FLAGS.map((input) => ({
  flag: input.flag,
  key: flagKey(input.flag) as RecordFlagKey,
  value: input.value,
  description: input.description,
  ...(input.repeatable ? { repeatable: true } : {}),
}));

const BY_FLAG = new Map(RECORD_OPTIONS.map((o) => [o.flag, o]));

/** One flag as given, in the order given: where an --action or --notes stands says which --subject it belongs to. */
export interface FlagEvent {
  flag: string;
  value: string;
}

/** The flags of an enquiry's fields; the one that opens each enquiry (`--subject`); the contact's flags given more than once, which accumulate (`--partners`). */
const ENQUIRY_FLAGS: ReadonlySet<string> = new Set(ENQUIRY_INPUTS.map((i) => i.flag));
const OPENER = FORMS.enquiryOpener.flag;
const ACCUMULATING: ReadonlySet<string> = new Set(CONTACT_INPUTS.filter((i) => i.repeatable).map((i) => i.flag));
/** `--action and --notes`: the enquiry's flags but its opener, as messages name them. */
const FOLLOWERS = ENQUIRY_INPUTS.filter((i) => i.flag !== OPENER)
  .map((i) => `--${i.flag}`)
  .join(' and ');

/**
 * Flags, in order, to what they ask: each enquiry with its own fields (its
 * action and notes). With several --subject, an enquiry's other flags belong
 * to the --subject before them, as an operator writes them; with one, order
 * is free. The contact's flags are given once, but for those that accumulate
 * (--partners). Which flags are whose is the layout's to say.
 */
export function flagsFromEvents(events: readonly FlagEvent[]): RecordFlags {
  const flags: RecordFlags = {};
  const single = flags as Record<string, string>;
  const subjects = events.filter((e) => e.flag === OPENER).length;
  const enquiries: Record<string, string>[] = subjects > 1 ? [] : [{}];
  const accumulated = new Map<string, string[]>();
  for (const { flag, value } of events) {
    const spec = BY_FLAG.get(flag)!;
    if (ACCUMULATING.has(flag)) {
      accumulated.set(spec.key, [...(accumulated.get(spec.key) ?? []), value]);
    } else if (flag === OPENER && subjects > 1) {
      enquiries.push({ [spec.key]: value });
    } else if (ENQUIRY_FLAGS.has(flag)) {
      const current = enquiries.at(-1);
      if (!current)
        throw usageError(
          `--${flag} comes before the first --${OPENER}: with several subjects, each ${FOLLOWERS} follows its own --${OPENER}`,
        );
      if (current[spec.key] !== undefined) {
        throw usageError(
          subjects > 1
            ? `--${flag} is given twice for --${OPENER} ${current[BY_FLAG.get(OPENER)!.key]}: each subject takes one`
            : `--${flag} is given more than once; give one, or one per --${OPENER} after each`,
        );
      }
      current[spec.key] = value;
    } else if (single[spec.key] !== undefined) {
      throw usageError(`--${flag} is given more than once; it takes one value`);
    } else single[spec.key] = value;
  }
  for (const [key, values] of accumulated) single[key] = values.join(';');
  flags.enquiries = enquiries;
  return flags;
}

/**
 * yargs-parser's reading of the table: every flag a string that takes exactly
 * one word, whatever it starts with (`nargs-eats-options`), so a value like
 * "-5 days late" stays a value and a flag at the end of the line without one
 * is an error; a flag given twice is an array; anything not in the table
 * (unknown flags, stray words) is handed back in `_` rather than guessed at.
 */
const YARGS_OPTIONS: yargsParser.Options = {
  string: RECORD_OPTIONS.map((o) => o.flag),
  narg: Object.fromEntries(RECORD_OPTIONS.map((o) => [o.flag, 1])),
  configuration: {
    'unknown-options-as-args': true,
    'nargs-eats-options': true,
    'duplicate-arguments-array': true,
    'flatten-duplicate-arrays': true,
    'camel-case-expansion': false,
    'short-option-groups': false,
    'dot-notation': false,
    'parse-numbers': false,
    'parse-positional-numbers': false,
    'boolean-negation': false,
    'greedy-arrays': false,
    'halt-at-non-option': false,
  },
};

/** The known flag a misspelt one was most likely meant to be, as commander suggests one for `record`. */
function nearestFlag(flag: string): string | undefined {
  const distance = (a: string, b: string) => {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const row = [i];
      for (let j = 1; j <= b.length; j++)
        row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = row;
    }
    return previous[b.length]!;
  };
  const scored = RECORD_OPTIONS.map((o) => ({ flag: o.flag, d: distance(flag, o.flag) })).sort((a, b) => a.d - b.d);
  const best = scored[0];
  return best && best.d <= Math.max(1, Math.floor(best.flag.length / 3)) ? best.flag : undefined;
}

/** The first word yargs-parser could not place: an unknown flag before a stray word, since the word may be that flag's value. */
function refuseUnplaced(rest: readonly (string | number)[], args: readonly string[]): void {
  const words = rest.map(String);
  const option = words.find((w) => /^-/.test(w) && !/^-\d/.test(w) && w !== '--');
  if (option !== undefined) {
    const name = option.replace(/=[\s\S]*$/, '');
    const near = nearestFlag(name.replace(/^-+/, ''));
    throw usageError(
      `unknown option '${name}'${near ? `; did you mean --${near}?` : ''}`,
      'a line takes the flags of cis-contact record; see cis-contact record --help',
    );
  }
  if (words.length > 0) throw strayWordsError(args, words);
}

/** A word as a shell user would type it back: single-quoted when it holds anything a shell reads. */
const shellQuoted = (text: string) => (/^[\w./:@%+,=-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`);

const isValueFlag = (word: string | undefined) =>
  word !== undefined && word.startsWith('--') && BY_FLAG.has(word.slice(2));

/**
 * Words that follow no flag (`--action Sent a letter`, unquoted): named, with
 * the flag and value before them, and the quoted form that was probably meant.
 * `words` is the whole argument list, to find where the stray words stand.
 */
export function strayWordsError(words: readonly string[], stray: readonly string[]): CisError {
  const first = stray[0] ?? '';
  for (let i = 0; i < words.length; i++) {
    if (words[i] !== first) continue;
    const before = words[i - 1] ?? '';
    const inline = /^--([^=]+)=([\s\S]*)$/.exec(before);
    const context =
      inline && BY_FLAG.has(inline[1]!)
        ? { flag: inline[1]!, value: inline[2]! }
        : isValueFlag(words[i - 2]) && !before.startsWith('--')
          ? { flag: words[i - 2]!.slice(2), value: before }
          : undefined;
    if (!context) continue;
    const run: string[] = [first];
    for (let j = i + 1; j < words.length && !words[j]!.startsWith('-'); j++) run.push(words[j]!);
    const named = run.map((w) => `'${w}'`).join(' ');
    return usageError(
      `unexpected word${run.length === 1 ? '' : 's'} ${named} after --${context.flag} ${shellQuoted(context.value)}: every value follows its own --flag, so if ${run.length === 1 ? 'it belongs' : 'they belong'} to that value, quote the value whole: --${context.flag} ${shellQuoted([context.value, ...run].join(' '))}`,
      'quote each value that holds spaces; see cis-contact record --help',
    );
  }
  return usageError(`unexpected argument '${first}': every value follows its --flag (quote values with spaces)`);
}

/** A word that names one of `record`'s flags or switches, so is not meant as the value before it. */
const isRecordFlagWord = (word: string) => isValueFlag(word) || ['--again', '--dry-run', '--strict'].includes(word);

/** `--channel --auth authenticated`: a flag whose value is missing, so the next flag would be taken as its value. */
function flagWithoutValueError(flag: string, next: string): CisError {
  return usageError(
    `${flag} has no value: the word after it is ${next}, another flag. Give ${flag} its value (a value that really starts with -- is written ${flag}=VALUE)`,
    "see cis-contact record --help for each flag's values",
  );
}

/**
 * A script line's own switches (`--again`), taken out before its flags are
 * read; and a flag followed by another flag instead of its value, refused.
 */
function takeSwitches(args: readonly string[]): { args: string[]; again: boolean } {
  const rest: string[] = [];
  let again = false;
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    if (word === '--again') {
      again = true;
      continue;
    }
    rest.push(word);
    if (!isValueFlag(word)) continue;
    const next = args[i + 1];
    if (next === undefined) continue;
    if (isValueFlag(next) || next === '--again') throw flagWithoutValueError(word, next);
    rest.push(next);
    i++;
  }
  return { args: rest, again };
}

/**
 * A `record` argument list (one line of `run`), parsed by yargs-parser from
 * the same table commander uses for `record` itself: it reads `--flag value`
 * and `--flag=value`, types the values, collects repeated flags and hands back
 * what it does not know. What it cannot give is the order of different flags:
 * `parse.detailed()` returns each flag's values on their own, so
 * `--subject Letter --notes a --subject Callback --action b` (Letter's notes,
 * Callback's action) and `--subject Letter --action b --subject Callback
 * --notes a` (Letter's action, Callback's notes) come back the same. That
 * order is read from where each flag word stands, and the values are then
 * taken from yargs-parser's arrays in turn, so it still decides every value.
 */
export function parseRecordArgs(line: string[]): RecordFlags {
  const { args, again } = takeSwitches(line);
  const parsed = yargsParser.detailed(args, YARGS_OPTIONS);
  refuseUnplaced(parsed.argv._, args);
  if (parsed.error) {
    // Its one error here: a flag at the end of the line (or before a bare --) with no word left for its value.
    const flag = /following: (\S+)$/.exec(parsed.error.message)?.[1];
    throw usageError(
      flag && BY_FLAG.has(flag)
        ? `--${flag} needs a value`
        : `the line cannot be read as record flags: ${parsed.error.message}`,
    );
  }
  const values = new Map<string, string[]>();
  for (const spec of RECORD_OPTIONS) {
    const given: unknown = parsed.argv[spec.flag];
    if (given !== undefined) values.set(spec.flag, (Array.isArray(given) ? given : [given]).map(String));
  }
  const events: FlagEvent[] = [];
  // Every word left is a known flag followed by its value, or `--flag=value`, as yargs-parser has just read them.
  for (let i = 0; i < args.length; i++) {
    const [, flag, inline] = /^--([^=]+)(=)?/.exec(args[i]!) ?? [];
    const value = flag === undefined ? undefined : values.get(flag)?.shift();
    // Only what yargs-parser read as a flag outside the table (`--no-utr`, `---utr`) or as the end of the flags (`--`) gets here.
    if (flag === undefined || value === undefined) {
      refuseUnplaced([args[i]!], args);
      throw strayWordsError(args, [args[i]!]);
    }
    events.push({ flag, value });
    if (inline === undefined) i++;
  }
  const flags = flagsFromEvents(events);
  return again ? { ...flags, again } : flags;
}
