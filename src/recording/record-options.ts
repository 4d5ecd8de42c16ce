/**
 * The `record` flags, defined once, and read by one parser (commander) for
 * `record` itself and for each line of `run`, so the two cannot drift apart.
 */

import { type RecordFlagKey, type RecordFlags, flagKey } from './record-contact.js';
import { INPUT_FLAGS } from '../domain/layout.js';
import { Command, Option } from 'commander';
import { usageError } from '../domain/errors.js';
import { usageErrorOfParser } from './flag-errors.js';

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

/** One flag as given, in the order given: where an --action or --notes stands says which --subject it belongs to. */
interface FlagEvent {
  flag: string;
  key: RecordFlagKey;
  value: string;
}

/**
 * Flags, in order, to what they ask: each enquiry with its own action and
 * notes. With several --subject, an --action or --notes belongs to the
 * --subject before it, as an operator writes them; with one, order is free.
 * Every flag but --subject, --action, --notes and --partners (which
 * accumulates) is given once.
 */
function flagsFromEvents(events: readonly FlagEvent[]): RecordFlags {
  const flags: RecordFlags = {};
  const single = flags as Record<string, string>;
  const subjects = events.filter((e) => e.flag === 'subject').length;
  const enquiries: { subject?: string; action?: string; notes?: string }[] = subjects > 1 ? [] : [{}];
  const partners: string[] = [];
  for (const { flag, key, value } of events) {
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
    } else if (single[key] !== undefined) {
      throw usageError(`--${flag} is given more than once; it takes one value`);
    } else single[key] = value;
  }
  if (partners.length > 0) flags.partners = partners.join(';');
  flags.enquiries = enquiries;
  return flags;
}

/**
 * Adds `record`'s flags to COMMAND. Each flag is kept in the order given
 * (an --action or --notes belongs to the --subject before it); the function
 * returned reads them, once COMMAND has parsed its arguments, as
 * `flagsFromEvents` groups them.
 */
export function addRecordOptions(command: Command): () => RecordFlags {
  const given: FlagEvent[] = [];
  for (const spec of RECORD_OPTIONS) {
    const option = new Option(`--${spec.flag} <${spec.value.toLowerCase()}>`, spec.description);
    command.addOption(option.argParser((value: string) => {
      given.push({ flag: spec.flag, key: spec.key, value });
      return value;
    }));
  }
  return () => flagsFromEvents(given);
}

/**
 * One line of `run`: its words read by the parser `record` uses, with the same
 * flags, so a line and a `record` command answer alike: the same values, the
 * same order of --subject, --action and --notes, the same refusals (an unknown
 * flag, a flag without its value, a stray word). Help is not a flag of a line.
 */
export function parseRecordArgs(args: string[]): RecordFlags {
  const line = new Command('record')
    .helpOption(false)
    .exitOverride()
    .configureOutput({ writeOut: () => {}, writeErr: () => {}, outputError: () => {} });
  const flags = addRecordOptions(line);
  try {
    line.parse(args, { from: 'user' });
  } catch (error) {
    throw usageErrorOfParser(error) ?? error;
  }
  return flags();
}
