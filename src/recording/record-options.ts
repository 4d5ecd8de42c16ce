/**
 * The `record` flags, defined once: `record` builds its commander
 * options from this table and `run` parses script lines with yargs-parser
 * from the same table, so the two can never drift apart.
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

/** The value of `--flag`, or of `--flag=value`; a flag needs one, and takes the next word whatever it starts with. */
function flagEvents(args: readonly string[]): FlagEvent[] {
  const events: FlagEvent[] = [];
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    const match = /^--([^=]+)(?:=([\s\S]*))?$/.exec(word);
    if (!match) throw usageError(`unexpected argument '${word}': every value follows its --flag (quote values with spaces)`);
    const [, flag, inline] = match as unknown as [string, string, string | undefined];
    if (!BY_FLAG.has(flag)) throw usageError(`unknown option '--${flag}'`, 'a line takes the flags of cis-contact record; see cis-contact record --help');
    if (inline !== undefined) events.push({ flag, value: inline });
    else if (i + 1 < args.length) events.push({ flag, value: args[++i]! });
    else throw usageError(`--${flag} needs a value`);
  }
  return events;
}

/**
 * A `record` argument list (one line of `run`). yargs-parser checks it against
 * the same table commander uses for `record` itself (unknown options, stray
 * words); every value is handed to it as `--flag=value`, so a value that
 * starts with a dash (`--notes "-5 days late"`) stays a value.
 */
export function parseRecordArgs(args: string[]): RecordFlags {
  const events = flagEvents(args);
  const parsed = yargsParser(events.map((e) => `--${e.flag}=${e.value}`), {
    string: RECORD_OPTIONS.map((o) => o.flag),
    configuration: {
      'camel-case-expansion': false,
      'duplicate-arguments-array': true,
      'short-option-groups': false,
      'dot-notation': false,
      'parse-numbers': false,
      'parse-positional-numbers': false,
      'boolean-negation': false,
      'greedy-arrays': false,
    },
  });
  const given = Object.keys(parsed).filter((k) => k !== '_' && k !== '--');
  if (given.some((flag) => !BY_FLAG.has(flag)) || (parsed._ ?? []).length > 0) throw usageError('the line could not be read as record flags');
  return flagsFromEvents(events);
}
