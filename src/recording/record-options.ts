/**
 * The `record` flags, defined once: `record` builds its commander
 * options from this table and `run` parses script lines with yargs-parser
 * configured from the same table, so the two can never drift apart.
 */

import { type RecordFlagKey, type RecordFlags, flagKey } from './record-contact.js';
import { INPUT_FLAGS } from '../domain/layout.js';
import yargsParser from 'yargs-parser';
import { usageError } from '../domain/errors.js';

export interface RecordOptionSpec {
  /** The flag name without dashes. */
  flag: string;
  /** The contact field it fills. */
  key: RecordFlagKey;
  value: string;
  description: string;
  repeatable?: boolean;
}


/** `record`'s flags, from the layout's input fields: each flag's name, its value, what it is for. */
export const RECORD_OPTIONS: readonly RecordOptionSpec[] = INPUT_FLAGS.map((input) => ({
  flag: input.flag, key: flagKey(input.flag) as RecordFlagKey, value: input.value, description: input.description, ...(input.repeatable ? { repeatable: true } : {}),
}));

const BY_FLAG = new Map(RECORD_OPTIONS.map((o) => [o.flag, o]));

/** One flag as given, in the order given: where an --action or --notes stands says which --subject it belongs to. */
export interface FlagEvent {
  flag: string;
  value: string;
}

/**
 * Flags, in order, to what they ask: each enquiry with its own action and
 * notes. With several --subject, an --action or --notes belongs to the
 * --subject before it, as an operator writes them; with one, order is free.
 * Every flag but --subject, --action, --notes and --partners (which
 * accumulates) is given once.
 */
export function flagsFromEvents(events: readonly FlagEvent[]): RecordFlags {
  const flags: RecordFlags = {};
  const single = flags as Record<string, string>;
  const subjects = events.filter((e) => e.flag === 'subject').length;
  const enquiries: { subject?: string; action?: string; notes?: string }[] = subjects > 1 ? [] : [{}];
  const partners: string[] = [];
  for (const { flag, value } of events) {
    const spec = BY_FLAG.get(flag)!;
    if (flag === 'partners') {
      partners.push(value);
    } else if (flag === 'subject' && subjects > 1) {
      enquiries.push({ subject: value });
    } else if (flag === 'subject' || flag === 'action' || flag === 'notes') {
      const current = enquiries.at(-1);
      if (!current) throw usageError(`--${flag} comes before the first --subject: with several subjects, each --action and --notes follows its own --subject`);
      if (current[flag] !== undefined) {
        throw usageError(subjects > 1
          ? `--${flag} is given twice for --subject ${current.subject}: each subject takes one`
          : `--${flag} is given more than once; give one, or one per --subject after each`);
      }
      current[flag] = value;
    } else if (single[spec.key] !== undefined) {
      throw usageError(`--${flag} is given more than once; it takes one value`);
    } else single[spec.key] = value;
  }
  if (partners.length > 0) flags.partners = partners.join(';');
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
      for (let j = 1; j <= b.length; j++) row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = row;
    }
    return previous[b.length]!;
  };
  const scored = RECORD_OPTIONS.map((o) => ({ flag: o.flag, d: distance(flag, o.flag) })).sort((a, b) => a.d - b.d);
  const best = scored[0];
  return best && best.d <= Math.max(1, Math.floor(best.flag.length / 3)) ? best.flag : undefined;
}

/** The first word yargs-parser could not place: an unknown flag before a stray word, since the word may be that flag's value. */
function refuseUnplaced(rest: readonly (string | number)[]): void {
  const words = rest.map(String);
  const option = words.find((w) => /^-/.test(w) && !/^-\d/.test(w) && w !== '--');
  if (option !== undefined) {
    const name = option.replace(/=[\s\S]*$/, '');
    const near = nearestFlag(name.replace(/^-+/, ''));
    throw usageError(`unknown option '${name}'${near ? `; did you mean --${near}?` : ''}`, 'a line takes the flags of cis-contact record; see cis-contact record --help');
  }
  const stray = words[0];
  if (stray !== undefined) throw strayWord(stray);
}

const strayWord = (word: string) => usageError(`unexpected argument '${word}': every value follows its --flag (quote values with spaces)`);

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
export function parseRecordArgs(args: string[]): RecordFlags {
  const parsed = yargsParser.detailed(args, YARGS_OPTIONS);
  refuseUnplaced(parsed.argv._);
  if (parsed.error) {
    // Its one error here: a flag at the end of the line (or before a bare --) with no word left for its value.
    const flag = /following: (\S+)$/.exec(parsed.error.message)?.[1];
    throw usageError(flag && BY_FLAG.has(flag) ? `--${flag} needs a value` : `the line cannot be read as record flags: ${parsed.error.message}`);
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
      refuseUnplaced([args[i]!]);
      throw strayWord(args[i]!);
    }
    events.push({ flag, value });
    if (inline === undefined) i++;
  }
  return flagsFromEvents(events);
}
