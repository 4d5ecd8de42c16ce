/**
 * The issue catalogue for people: `cis-contact codes` and docs/codes.md are
 * both made here, from the one catalogue module, so neither can drift from
 * what the tool reports.
 */

import { CATALOGUE, type CatalogueEntry, type IssueCode, type IssueParams } from '../domain/catalogue.js';
import { CONTACT_INPUTS, ENQUIRY_INPUTS, layoutFieldsNaming } from '../domain/layout.js';
import { LIMITS } from '../domain/vocabulary.js';

/** An example of a length refused: one over the rule's own limit. */
const tooLong = (limit: number): IssueParams => ({ length: limit + 1, limit });

export interface CodeListing {
  code: IssueCode;
  severity: string;
  title: string;
  fields: readonly string[];
  manual: string;
  example: string;
}

const EXAMPLE: IssueParams = { value: 'X-1', limit: 100, length: 101, detail: 'details' };
/** Where the generic example would read badly. */
const EXAMPLES: Partial<Record<IssueCode, IssueParams>> = {
  'file-unreadable': { value: 'contacts.csv', detail: 'no such file' },
  'export-other-store': {
    value: 'one-taxpayer.csv',
    detail:
      'its manifest names the store whose first entry has the hash 5f0c…e1, and the store at postgres://audit@db:5432/cis has 9a41…07',
  },
  'checkpoint-other-store': {
    value: 'kept.txt:3',
    detail:
      "it names the store whose first entry has the hash 5f0c…e1, and this store's first entry has the hash 9a41…07",
  },
  'server-stopped-command': {
    value: 'postgres://cis@db:5432/cis',
    limit: '57014',
    detail: 'it ran longer than the statement_timeout set for this login or database',
  },
  'missing-column': { field: 'enquiry_date' },
  'unknown-column': { field: 'generalnotes' },
  'unclosed-quote': {
    value: 'contacts.csv',
    limit: 11,
    detail: 'it would swallow the 20 lines after it, to the end of the file',
  },
  'control-character': { field: 'general_notes', value: 'U+0000' },
  'row-shape': { length: 14, limit: 13 },
  ...Object.fromEntries(
    [...CONTACT_INPUTS, ...ENQUIRY_INPUTS].flatMap(({ field: { freeText } }) =>
      freeText ? [[freeText.tooLong, tooLong(freeText.limit)]] : [],
    ),
  ),
  'name-too-long': tooLong(LIMITS.recordName),
  'date-format': {
    value: '42095',
    detail:
      "it looks like a spreadsheet's date serial number, which would be 1 April 2015: format the column as a date (YYYY-MM-DD) and save the file again",
  },
  'duplicate-column': {
    field: 'general_notes',
    detail: 'the map sends both "Notes" and "Comments" to it; map one of them to null, or to another column',
  },
  usage: { detail: '--notes needs a value' },
  'no-store': { value: '/home/jo/cis-contcat' },
  'trigger-disabled': { value: 'contacts_refuse_update_delete', detail: 'on contacts (disabled)' },
  'store-not-empty': { value: '/home/jo/.local/share/cis-contact', limit: 1520 },
  'export-not-intact': {
    value: 'backup.jsonl',
    detail: 'it has no manifest, so a truncated tail could not be ruled out',
  },
  'output-unwritable': { value: 'audit/history.jsonl', detail: 'no such folder' },
  'database-unreachable': {
    value: 'postgres://cis@db:5432/cis',
    limit: 'CONNECTION_CLOSED',
    detail: 'the export is incomplete: 1200 of 5000 entries written; nothing in the store changed',
  },
  'database-unavailable': {
    value: 'postgres://cis@db:5432/cis',
    detail: 'password authentication failed for user "cis"',
  },
  'database-url-invalid': { detail: 'Invalid URL' },
  'disk-full': {
    value: '/home/jo/.local/share/cis-contact',
    detail: '40 MB free, and the embedded store needs 256 MB spare to go on safely',
  },
  'file-changed': { value: 'contacts.csv', detail: 'its size went from 81920 to 98304 bytes' },
  'data-dir-unusable': { value: '/srv/cis', detail: 'it belongs to another account (uid 1001)' },
  'internal-error': { detail: "Cannot read properties of undefined (reading 'utr')" },
  interrupted: { value: 'export', detail: 'after 1200 of 5000 entries, none kept: audit/history.jsonl left as it was' },
  'invalid-encoding': {
    value: 'contacts.csv',
    detail: 'is not valid UTF-8: line 4 holds bytes that UTF-8 cannot have',
  },
  'output-unsafe': {
    value: '/srv/team/contacts.rejects.csv',
    detail:
      '/srv/team is writable by other accounts (mode 777) and not sticky: one of them could put a link where the file goes, or take it away',
  },
  'output-is-input': {
    value: 'contacts.rejects.csv',
    detail: 'is the input contacts.rejects.csv: writing rejected rows there would destroy the file being read',
  },
  'date-order': {
    field: 'enquiry_date',
    value: '04/15/2015',
    limit: 3,
    detail:
      'cannot be read day first, as dates are unless --date-order says otherwise (its month would be 15): the file looks written month first (US order)',
  },
  'map-invalid': {
    value: 'legacy-map.json',
    detail: 'channel "Tel In" translates into "telephone", which is not a channel',
  },
  'same-as-recorded': { value: '1520', detail: 'stored by cis_jo at 2026-12-06 10:14:03 UTC' },
  'ref-invalid': { field: 'contact_ref', value: 'CASE/12', detail: 'contains /' },
  'payment-details': { field: 'general_notes', detail: 'a payment card number (**** **** **** 1111)' },
  'partners-not-allowed': { value: '1955839661', detail: 'contractor' },
  'not-a-partner': { value: '1955839661', detail: '2108834503' },
  'partnership-without-partners': { value: '2108834503' },
  'direction-conflict': { value: 'Inbound', detail: 'phone-outbound', limit: 'Outbound' },
  'authentication-required': { detail: 'email' },
  'date-before-scheme': { value: '2008-04-05', limit: '2008-04-06' },
  'date-in-future': { value: '2031-01-01', limit: '2026-12-01' },
  'unknown-operator': { value: '9999999' },
  'operator-not-authorised': { value: '4567890', detail: 'holds CISR Viewer' },
  'operator-not-yours': { value: '1234567', detail: 'you are bob' },
  'permission-denied': {
    value: 'postgres://alice@db:5432/cis',
    detail: 'permission denied for table operators',
    limit: 'cis_contact_cis_admin',
  },
  'contact-fields-differ': { field: 'contact_name', value: 'LEG-0004', limit: 12 },
  'contact-ref-reused': { value: 'LEG-0001', limit: 2 },
  'conflicts-with-recorded': { value: 'LEG-0001', detail: 'as contact 17, stored by alice at 2026-03-02 10:15:04 UTC' },
  'sibling-rejected': { detail: '1 other row failed' },
  'database-rejected': { detail: 'new row violates check constraint' },
  'line-unreadable': { detail: 'a double quote opened at column 9 is never closed on this line' },
  'role-unknown': { value: 'CISR Procesor' },
  'period-invalid': {
    field: 'roles_to',
    value: '2019-03-31',
    detail: 'is before roles_from (2020-01-01): a period runs from its first day to its last',
  },
  'partner-of-invalid': { value: '1955839661', detail: 'is not a partnership' },
  abbreviation: { field: 'general_notes', value: 'WAM' },
  'identical-row': { limit: 4 },
  'matches-recorded': { value: '1042 (sha256:5f0c…#1)', detail: 'legacy.csv' },
  'possible-card-number': { field: 'general_notes', value: '************3715' },
  'guard-removed': { field: 'general_notes', value: '"-"' },
  'partners-changed': { detail: 'partner 7777777777 joined it since, and is not given this contact' },
};

/** The contact log's columns the layout says the code concerns, then what the entry names besides. */
function fieldsOf(entry: CatalogueEntry): string[] {
  const fromLayout = layoutFieldsNaming(entry.code);
  return [...fromLayout, ...entry.fields.filter((f) => !fromLayout.includes(f))];
}

export function listing(entry: CatalogueEntry): CodeListing {
  const fields = fieldsOf(entry);
  const example = entry.message(EXAMPLES[entry.code] ?? { ...EXAMPLE, field: fields[0] ?? 'the field' });
  return { code: entry.code, severity: entry.severity, title: entry.title, fields, manual: entry.manual, example };
}

export function allListings(): CodeListing[] {
  return [...CATALOGUE.values()].map(listing);
}

const SEVERITY_HEADINGS: Record<string, string> = {
  fatal: 'Fatal: the file cannot be read faithfully, and nothing is written (exit 2)',
  error: 'Row errors: the row, and its contact, are rejected',
  warning: 'Warnings: stored, counted and listed; --strict makes them errors',
  failure: 'Command failures: the command could not do its job (exit 2 for what you can fix, 3 for storage)',
};

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** docs/codes.md. */
export function catalogueMarkdown(): string {
  const lines = [
    '# Issue codes',
    '',
    'Every problem `cis-contact` reports has one of these stable codes: in rejects files (`reject_codes`),',
    'in `--json` output and in messages. `cis-contact codes` prints this list; `cis-contact codes CODE` one entry.',
    'This file is generated from the catalogue (`npm run docs:codes`); a test fails when the two differ.',
    '',
  ];
  for (const severity of ['fatal', 'error', 'warning', 'failure']) {
    lines.push(
      `## ${SEVERITY_HEADINGS[severity]}`,
      '',
      '| code | title | fields | source | example message |',
      '|---|---|---|---|---|',
    );
    for (const l of allListings().filter((x) => x.severity === severity)) {
      lines.push(
        `| \`${l.code}\` | ${cell(l.title)} | ${l.fields.map((f) => `\`${f}\``).join(', ')} | ${cell(l.manual)} | ${cell(l.example)} |`,
      );
    }
    lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
