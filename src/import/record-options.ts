/**
 * The `record` flags (SPEC 4), defined once: `record` builds its commander
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
  { flag: 'partners', key: 'partners', value: 'UTRS', description: 'only these partners of the partnership, separated by ;' },
  { flag: 'operator', key: 'operator', value: 'PID', description: 'your 7-digit PID' },
  { flag: 'contact-type', key: 'contactType', value: 'TYPE', description: 'contractor, subcontractor, agent, capacitor or third party' },
  { flag: 'contact-name', key: 'contactName', value: 'NAME', description: 'the person spoken to (at most 100 characters)' },
  { flag: 'channel', key: 'channel', value: 'CHANNEL', description: 'phone-inbound, phone-outbound, face-to-face, letter, email, fax or internal-enquiry' },
  { flag: 'direction', key: 'direction', value: 'DIR', description: "Inbound or Outbound (default: the channel's)" },
  { flag: 'date', key: 'date', value: 'DATE', description: 'enquiry date, YYYY-MM-DD or DD/MM/YYYY (default: today in Europe/London)' },
  { flag: 'auth', key: 'auth', value: 'AUTH', description: 'authenticated or waived (not needed for internal-enquiry)' },
  { flag: 'subject', key: 'subject', value: 'SUBJECT', description: 'Internal Referral, Letter, Callback, Complaint or Other; repeat for each enquiry', repeatable: true },
  { flag: 'action', key: 'action', value: 'TEXT', description: 'action taken (at most 100 characters); the k-th belongs to the k-th --subject', repeatable: true },
  { flag: 'notes', key: 'notes', value: 'TEXT', description: 'general notes (at most 512 characters); the k-th belongs to the k-th --subject', repeatable: true },
  { flag: 'ref', key: 'ref', value: 'REF', description: 'your reference: retrying with the same --ref never records twice' },
];

const BY_FLAG = new Map(RECORD_OPTIONS.map((o) => [o.flag, o]));

/**
 * A `record` argument list (one line of `run`) parsed with yargs-parser
 * against the same table commander uses for `record` itself.
 */
export function parseRecordArgs(args: string[]): RecordFlags {
  const parsed = yargsParser(args, {
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
  const flags: RecordFlags = {};
  for (const [name, value] of Object.entries(parsed)) {
    if (name === '_' || name === '--') continue;
    const spec = BY_FLAG.get(name);
    if (!spec) throw usageError(`unknown option '--${name}'`, 'a line takes the flags of cis-contact record; see cis-contact record --help');
    const values = (Array.isArray(value) ? value : [value]).map(String);
    if (spec.repeatable) (flags as Record<string, string[]>)[spec.key] = values;
    else if (values.length > 1) throw usageError(`--${name} is given ${values.length} times; it takes one value`);
    else (flags as Record<string, string>)[spec.key] = values[0]!;
  }
  const stray = (parsed._ ?? []).map(String);
  if (stray.length > 0) throw usageError(`unexpected argument '${stray[0]}': every value follows its --flag (quote values with spaces)`);
  return flags;
}
