/**
 * The `record` flags, defined once: `record` builds its commander
 * options from this table and `run` parses script lines with yargs-parser
 * from the same table, so the two can never drift apart.
 */

import type { RecordFlagKey, RecordFlags } from './record-contact.js';
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


export const RECORD_OPTIONS: readonly RecordOptionSpec[] = [
  { flag: 'utr', key: 'utr', value: 'UTR', description: 'UTR of the CIS record (a partnership is recorded on each partner)' },
  { flag: 'partners', key: 'partners', value: 'UTRS', description: 'only these partners of the partnership, separated by ; or , (repeat to add more)', repeatable: true },
  { flag: 'operator', key: 'operator', value: 'PID', description: 'your 7-digit PID' },
  { flag: 'contact-type', key: 'contactType', value: 'TYPE', description: 'contractor, subcontractor, agent, capacitor or third party' },
  { flag: 'contact-name', key: 'contactName', value: 'NAME', description: 'the person spoken to (at most 100 characters)' },
  { flag: 'channel', key: 'channel', value: 'CHANNEL', description: 'phone-inbound, phone-outbound, face-to-face, letter, email, fax or internal-enquiry' },
  { flag: 'direction', key: 'direction', value: 'DIR', description: "Inbound or Outbound (default: the channel's)" },
  { flag: 'date', key: 'date', value: 'DATE', description: 'enquiry date: YYYY-MM-DD, DD/MM/YYYY or 1 Apr 2015, UK order (default: today in Europe/London)' },
  { flag: 'auth', key: 'auth', value: 'AUTH', description: 'authenticated or waived (not needed for internal-enquiry)' },
  { flag: 'subject', key: 'subject', value: 'SUBJECT', description: 'Internal Referral, Letter, Callback, Complaint or Other; repeat for each enquiry', repeatable: true },
  { flag: 'action', key: 'action', value: 'TEXT', description: 'action taken (at most 100 characters); with several --subject, give it after its own --subject', repeatable: true },
  { flag: 'notes', key: 'notes', value: 'TEXT', description: 'general notes (at most 512 characters); with several --subject, give it after its own --subject', repeatable: true },
  { flag: 'ref', key: 'ref', value: 'REF', description: 'your reference: retrying with the same --ref never records twice' },
];

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
