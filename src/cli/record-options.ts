/**
 * The `record` flags (SPEC 4), defined once: `record` builds its commander
 * options from this table and `run` parses script lines with yargs-parser
 * from the same table, so the two can never drift apart.
 */

import type { RecordFlagKey } from '../import/record-contact.js';

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
