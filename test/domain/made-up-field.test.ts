/**
 * A field the layout does not have, added to a copy of it as the README's
 * recipe adds one: every form made from the layout takes it up, and so does
 * every free-text rule, with no rule written for it. Above all, a card number
 * in it is masked in the rejects file, and that rejects file brought back
 * unchanged is refused, not stored with stars for what the contact said.
 * History shows it where its declaration places it; the canonical text, the
 * chain's hash and the content hash hold its value, and leave it out where
 * it is empty, so entries stored before it keep their hashes.
 */

import { rmSync } from 'node:fs';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { afterAll, describe, expect, expectTypeOf, it } from 'vitest';
import { type CatalogueEntry, CATALOGUE, type IssueCode } from '../../src/domain/catalogue.js';
import {
  type Contact,
  type RawContact,
  checkContact,
  differingContactFields,
  maskedNumbers,
} from '../../src/domain/contact.js';
import type { Channel, ContactType, Subject } from '../../src/domain/vocabulary.js';
import {
  CONTACT_LAYOUT,
  type ChainEnquiry,
  type ChainedEntry,
  type CheckedContactOf,
  type CheckedEnquiryOf,
  FORMS,
  type LayoutEntry,
  type LayoutForms,
  type StoredField,
  formsOf,
  isList,
  layoutFieldsNaming,
} from '../../src/domain/layout.js';
import { type ChainEntry, GENESIS_HASH, canonicalEntry, chainHash, chainTextOf } from '../../src/domain/audit.js';
import { identitiesOf, storedContentHash } from '../../src/domain/identity.js';
import { RejectsFile } from '../../src/outputs/rejects-file.js';
import { historyTable } from '../../src/terminal/history-table.js';
import { Ui } from '../../src/terminal/ui.js';
import { readCsv } from '../../src/csv/reader.js';
import { lookup, settings, validContact } from '../support/domain-fixtures.js';
import { scratchFolder } from '../support/scratch.js';

/** An optional free-text field of the contact: the caller's role, at most 40 characters, shown in the history after the name. */
const CALLER_ROLE = {
  key: 'callerRole',
  column: 'caller_role',
  type: 'text',
  nullable: true,
  origin: 'contact',
  chained: true,
  identity: true,
  exported: true,
  addedLater: 9,
  freeText: { limit: 40, tooLong: 'contact-name-too-long' },
  history: { title: 'Role', place: 7.5, block: { line: 1.5, at: 0, label: 'Role: ' } },
  input: {
    header: 'caller_role',
    flag: 'caller-role',
    value: 'ROLE',
    description: "the caller's role (at most 40 characters)",
  },
} as const satisfies StoredField;

/** An optional free-text field of each enquiry, on several lines, with no place of its own in the history. */
const FOLLOW_UP = {
  key: 'followUp',
  column: 'follow_up',
  type: 'text',
  nullable: true,
  origin: 'contact',
  chained: true,
  identity: true,
  exported: true,
  addedLater: 9,
  freeText: { limit: 200, tooLong: 'notes-too-long', multiline: true },
  input: {
    header: 'follow_up',
    flag: 'follow-up',
    value: 'TEXT',
    description: 'what happens next (at most 200 characters)',
    repeatable: true,
  },
} as const satisfies StoredField;

/** The layout with the caller's role after the contact's name. */
const AFTER_NAME = CONTACT_LAYOUT.findIndex((entry) => entry.key === 'contactName') + 1;
const WITH_CONTACT_FIELD = [...CONTACT_LAYOUT.slice(0, AFTER_NAME), CALLER_ROLE, ...CONTACT_LAYOUT.slice(AFTER_NAME)];
/** The layout with a follow-up in each enquiry, after its notes. */
const WITH_ENQUIRY_FIELD = CONTACT_LAYOUT.map((entry) =>
  isList(entry) ? { ...entry, items: [...entry.items, FOLLOW_UP] } : entry,
);

const CARD = '4111 1111 1111 1111';

describe('a made-up field of the contact, added to a copy of the layout', () => {
  const forms = formsOf(WITH_CONTACT_FIELD);
  const given = (value: string, overrides: Partial<RawContact> = {}): RawContact =>
    ({ ...validContact(overrides), caller_role: value }) as RawContact;

  it('is in the checked contact type, typed as its declaration says', () => {
    expectTypeOf<CheckedContactOf<typeof WITH_CONTACT_FIELD>['callerRole']>().toEqualTypeOf<string | null>();
    expectTypeOf<CheckedEnquiryOf<typeof WITH_ENQUIRY_FIELD>['followUp']>().toEqualTypeOf<string | null>();
  });

  it("is a column of the contact log, optional, and a flag of record with its help, in the layout's order", () => {
    expect(forms.inputHeaders).toEqual([
      ...FORMS.inputHeaders.slice(0, 5),
      'caller_role',
      ...FORMS.inputHeaders.slice(5),
    ]);
    expect(forms.requiredHeaders).toEqual(FORMS.requiredHeaders);
    expect(forms.inputFlags.find((i) => i.header === 'caller_role')).toMatchObject({
      flag: 'caller-role',
      value: 'ROLE',
      description: CALLER_ROLE.input.description,
    });
    expect(forms.contactFields.map((f) => f.column)).toContain('caller_role');
  });

  it('is free text: one of the columns checked for masked numbers, with its own limit, on one line', () => {
    expect(forms.freeText).toEqual(['contact_name', 'caller_role', 'action_taken', 'general_notes']);
    expect(forms.contactText).toContainEqual({
      field: 'caller_role',
      key: 'callerRole',
      limit: 40,
      tooLong: 'contact-name-too-long',
      multiline: false,
    });
  });

  it('is named by the catalogue entries of free text and by its own too-long code', () => {
    const naming = (code: IssueCode) => layoutFieldsNaming(code, forms).includes('caller_role');
    const named = [...CATALOGUE.values()].filter((e: CatalogueEntry) => naming(e.code)).map((e) => e.code);
    expect(named).toEqual([
      'control-character',
      'contact-name-too-long',
      'payment-details',
      'abbreviation',
      'possible-card-number',
    ]);
  });

  it("has its place in the history: its column after the name's, its line after whom was spoken to", () => {
    expect(forms.historyColumns.map((c) => c.title)).toEqual([
      ...HISTORY_TITLES.slice(0, 8),
      'Role',
      ...HISTORY_TITLES.slice(8),
    ]);
    expect(forms.historyColumns.find((c) => c.title === 'Role')).toMatchObject({ ofEnquiry: false });
    expect(forms.historyLines.contact.map((l) => l.label)).toEqual([
      '',
      'Spoken to: ',
      'Role: ',
      'Recorded: ',
      'Via partnership ',
      'Ref: ',
    ]);
  });

  it('is shown by history where the layout places it, into a file and on a terminal; an entry without it is shown as before', () => {
    const entry: ChainedEntry & { callerRole: string } = { ...STORED, callerRole: 'Site manager\\' };
    const [titles, row] = historyShown(false, [entry], forms);
    expect(titles!.split(/ {2,}/)).toEqual(forms.historyColumns.slice(1).map((c) => c.title));
    expect(row!.split(/ {2,}/)).toEqual([
      ...['2024-05-01', '2024-05-01 11:00:00 BST', '7', 'phone-inbound', 'Inbound', 'agent', 'Jo Bloggs'],
      'Site manager\\\\',
      ...['authenticated', '1234567', 'jsmith', 'ROLE-1', '1', 'Callback', 'Explained the statement'],
    ]);
    expect(historyShown(true, [entry], forms)).toEqual([
      'Contact 7 · 2024-05-01 · phone-inbound, Inbound',
      '  Spoken to: Jo Bloggs (agent), authenticated',
      '  Role: Site manager\\',
      '  Recorded: 2024-05-01 11:00:00 BST by operator 1234567 (login jsmith)',
      '  Ref: ROLE-1',
      '  1. Callback',
      '     Action: Explained the statement',
      '',
    ]);
    // Stored before the field was: no line of it, and the same block the layout without it shows.
    expect(historyShown(true, [STORED], forms)).toEqual(historyShown(true, [STORED], FORMS));
    const cells = (form: LayoutForms) => historyShown(false, [STORED], form)[1]!.split(/ {2,}/);
    expect(cells(forms)).toEqual(cells(FORMS));
  });

  it('is carried by the checked contact, normalised as free text is', () => {
    const check = checkContact(given('  Site manager\r\n'), lookup, settings, forms);
    expect(check.contactErrors).toEqual([]);
    expect(check.contact).toMatchObject({ callerRole: 'Site manager', contactName: 'Jo Bloggs' });
    expect(checkContact(given('   '), lookup, settings, forms).contact).toMatchObject({ callerRole: null });
  });

  it('is compared as written between the rows of one contact', () => {
    expect(differingContactFields(given('Site manager'), given('site manager'), 'dmy', forms)).toEqual(['caller_role']);
    expect(differingContactFields(given('Site manager'), given(' Site manager '), 'dmy', forms)).toEqual([]);
  });

  it('is held to every free-text rule: payment details, length, control characters, card-shaped numbers, abbreviations', () => {
    const issues = (value: string) => {
      const check = checkContact(given(value), lookup, settings, forms);
      return [...check.contactErrors, ...check.contactWarnings]
        .filter((i) => i.field === 'caller_role')
        .map((i) => i.code);
    };
    expect(issues(`card ${CARD}`)).toEqual(['payment-details']);
    expect(issues('x'.repeat(41))).toEqual(['contact-name-too-long']);
    expect(issues('x'.repeat(40))).toEqual([]);
    expect(issues('Site\nmanager')).toEqual(['control-character']);
    expect(issues('ref 1234 5678 9012 3456')).toEqual(['possible-card-number']);
    expect(issues('WAM lead')).toEqual(['abbreviation']);
  });

  describe('a card number in it, through a rejects file', () => {
    const dir = scratchFolder('made-up-field-');
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('is masked there, and the rejects file brought back unchanged is refused', async () => {
      const row: Record<string, string> = {
        contact_ref: 'ROLE-1',
        utr: '1955839661',
        partners: '',
        contact_type: 'agent',
        contact_name: 'Jo Bloggs',
        caller_role: `pays by card ${CARD}`,
        channel: 'phone-inbound',
        direction: '',
        authentication: 'authenticated',
        enquiry_date: '2024-05-01',
        operator_pid: '1234567',
        subject: 'Callback',
        action_taken: 'Explained the statement',
        general_notes: '',
      };
      expect(Object.keys(row)).toEqual(forms.inputHeaders);
      const raw = {
        ...Object.fromEntries(forms.contactInputs.map((i) => [i.header, row[i.header]])),
        enquiries: [{ subject: row.subject, action_taken: row.action_taken }],
      };
      const first = checkContact(raw, lookup, settings, forms);
      expect(first.contactErrors.map((i) => [i.code, i.field])).toEqual([['payment-details', 'caller_role']]);

      const path = join(dir, 'contacts.rejects.csv');
      const rejects = RejectsFile.forInput(path, forms.inputHeaders, true);
      await rejects.add(
        forms.inputHeaders.map((h) => row[h]!),
        2,
        first.contactErrors,
      );
      await rejects.close();

      const [header, back] = await rowsOf(path);
      const read = (column: string) => back![header!.indexOf(column)];
      expect(read('caller_role')).toBe('pays by card **** **** **** 1111');
      expect(maskedNumbers(read, forms)).toEqual([
        expect.objectContaining({ code: 'payment-details', field: 'caller_role' }),
      ]);
      expect(maskedNumbers(read, forms)[0]!.message).toContain('**** **** **** 1111');
      // The layout without the field has no such column to look at: the check is the layout's, not a list of its own.
      expect(maskedNumbers(read, FORMS)).toEqual([]);
    });
  });
});

describe('a made-up field of each enquiry, added to a copy of the layout', () => {
  const forms = formsOf(WITH_ENQUIRY_FIELD);
  const given = (followUp: string): RawContact =>
    validContact({
      enquiries: [
        { subject: 'Callback', action_taken: 'Called', follow_up: followUp } as RawContact['enquiries'][number],
      ],
    });

  it('is a column and a flag of each enquiry, free text on several lines, carried by each checked enquiry', () => {
    expect(forms.inputHeaders.at(-1)).toBe('follow_up');
    expect(forms.enquiryInputs.map((i) => i.flag)).toEqual(['subject', 'action', 'notes', 'follow-up']);
    expect(forms.freeText).toEqual(['contact_name', 'action_taken', 'general_notes', 'follow_up']);
    expect(layoutFieldsNaming('payment-details', forms)).toContain('follow_up');
    const check = checkContact(given('Call back\non Monday'), lookup, settings, forms);
    expect(check.enquiryErrors).toEqual([[]]);
    expect(check.contact?.enquiries[0]).toMatchObject({ followUp: 'Call back\non Monday' });
  });

  it('is shown by history by its column name, having no place of its own: after the notes, on a line of its own', () => {
    const entry: ChainedEntry = {
      ...STORED,
      enquiries: [{ ...STORED.enquiries[0]!, generalNotes: 'Rang', followUp: 'Call back\non Monday' } as ChainEnquiry],
    };
    expect(forms.historyColumns.at(-1)).toMatchObject({ title: 'follow_up', ofEnquiry: true });
    const [titles, row] = historyShown(false, [entry], forms);
    expect(titles).toMatch(/ {2}Notes {2}follow_up$/);
    expect(row).toMatch(/ {2}Rang +Call back\\non Monday$/);
    expect(historyShown(true, [entry], forms).slice(-4)).toEqual([
      '     Notes: Rang',
      '     follow_up: Call back',
      '                on Monday',
      '',
    ]);
  });

  it('refuses a card number in it, and the masked number brought back', () => {
    const check = checkContact(given(CARD), lookup, settings, forms);
    expect(check.enquiryErrors[0]!.map((i) => [i.code, i.field])).toEqual([['payment-details', 'follow_up']]);
    expect(maskedNumbers((column) => (column === 'follow_up' ? '**** **** **** 1111' : undefined), forms)).toHaveLength(
      1,
    );
  });
});

describe.each([
  ['of the contact', WITH_CONTACT_FIELD, 'callerRole', (value: string | null) => ({ ...STORED, callerRole: value })],
  [
    'of each enquiry',
    WITH_ENQUIRY_FIELD,
    'followUp',
    (value: string | null) => ({ ...STORED, enquiries: [{ ...STORED.enquiries[0]!, followUp: value }] }),
  ],
] as const)('a made-up field %s, in the canonical text, the identity and the chain', (_of, layout, key, entryWith) => {
  const chain = chainTextOf(layout);
  const identities = identitiesOf(layout);
  const target = { utr: STORED.utr, partnershipUtr: null };
  const hashed = (entry: ChainEntry) => ({
    canonical: chain.canonicalEntry(entry),
    byLibrary: chain.canonicalEntryByLibrary(entry),
    chain: chain.chainHash(GENESIS_HASH, entry),
    content: identities.storedContentHash(entry, target),
  });

  it('holds its value: two entries that differ only there differ in canonical text, chain hash and content hash', () => {
    const [site, office] = [hashed(entryWith('Site manager')), hashed(entryWith('Office manager'))];
    expect(site.canonical).toContain(`"${key}":"Site manager"`);
    expect(site.byLibrary).toBe(site.canonical);
    expect(office.byLibrary).toBe(office.canonical);
    expect(office.canonical).toBe(site.canonical.replace('Site manager', 'Office manager'));
    expect(office.chain).not.toBe(site.chain);
    expect(office.content).not.toBe(site.content);
    // As a transaction chains it: from the template made while it was checked, placed at its seq.
    const entry = entryWith('Site manager');
    const hasher = chain.chainHasherAt(entry.recordedAt, 'jsmith');
    expect(hasher(GENESIS_HASH, chain.canonicalTemplate(entry), entry.seq)).toBe(site.chain);
  });

  it('is left out where empty, so an entry stored before it keeps its canonical text and its hashes', () => {
    const before = {
      canonical: canonicalEntry(STORED),
      byLibrary: canonicalEntry(STORED),
      chain: chainHash(GENESIS_HASH, STORED),
      content: storedContentHash(STORED, target),
    };
    expect(hashed(STORED)).toEqual(before);
    expect(hashed(entryWith(null))).toEqual(before);
  });
});

describe('the layout as declared', () => {
  it("types the checked contact from its fields: a vocabulary's words, free text or null", () => {
    expectTypeOf<Contact['channel']>().toEqualTypeOf<Channel>();
    expectTypeOf<Contact['contactType']>().toEqualTypeOf<ContactType | null>();
    expectTypeOf<Contact['contactName']>().toEqualTypeOf<string | null>();
    expectTypeOf<Contact['enquiries'][number]['subject']>().toEqualTypeOf<Subject>();
  });

  it('gives a column map the vocabularies to translate legacy words into', () => {
    expect(Object.keys(FORMS.vocabularies)).toEqual([
      'contact_type',
      'channel',
      'direction',
      'authentication',
      'subject',
    ]);
    expect(FORMS.vocabularies.contact_type!('Third-Party')).toBe('third party');
  });

  it('holds its enquiries as a list of their fields, not as a column', () => {
    const lists = (CONTACT_LAYOUT as readonly LayoutEntry[]).filter(isList);
    expect(lists.map((l) => [l.key, l.items.map((f) => f.column)])).toEqual([
      ['enquiries', ['position', 'subject', 'action_taken', 'general_notes']],
    ]);
    expect(FORMS.contactFields.map((f) => f.column)).not.toContain('enquiries');
  });

  it('names every column a catalogue entry concerns: no entry names a contact log column by hand', () => {
    for (const entry of CATALOGUE.values())
      expect(
        entry.fields.filter((f) => FORMS.inputHeaders.includes(f)),
        entry.code,
      ).toEqual([]);
  });
});

/** The history's columns' titles, as the layout declares them. */
const HISTORY_TITLES = [
  'UTR',
  'Date',
  'Recorded',
  'Contact',
  'Channel',
  'Dir',
  'Type',
  'Name',
  'Auth',
  'PID',
  'Login',
].concat(['Via partnership', 'Ref', 'No', 'Subject', 'Action taken', 'Notes']);

/** An entry as stored before either made-up field was. */
const STORED: ChainedEntry = {
  seq: 7,
  sourceKey: 'ROLE-1',
  utr: '1955839661',
  partnershipUtr: null,
  contactType: 'agent',
  contactName: 'Jo Bloggs',
  channel: 'phone-inbound',
  direction: 'Inbound',
  authentication: 'authenticated',
  enquiryDate: '2024-05-01',
  operatorPid: '1234567',
  importRunId: null,
  recordedAt: '2024-05-01T10:00:00.000000Z',
  recordedBy: 'jsmith',
  enquiries: [{ position: 1, subject: 'Callback', actionTaken: 'Explained the statement', generalNotes: null }],
  prevHash: '0'.repeat(64),
  hash: '1'.repeat(64),
};

/** What `history` prints of these entries of one record, into a file (or on a terminal 100 columns wide), as the layout `forms` place their fields. */
function historyShown(onTerminal: boolean, entries: readonly ChainedEntry[], forms: LayoutForms): string[] {
  let out = '';
  const sink = Object.assign(
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        out += chunk.toString();
        done();
      },
    }),
    { isTTY: onTerminal, columns: 100 },
  );
  const ui = new Ui(false, false, { stdout: sink, stderr: sink, env: {} });
  ui.result(() => historyTable(ui, entries, { partnerships: new Map() }, false, forms));
  return out.split('\n');
}

/** A CSV file's header and first row. */
async function rowsOf(path: string): Promise<(readonly string[])[]> {
  const rows: (readonly string[])[] = [];
  for await (const item of readCsv(path)) if (item.kind === 'row') rows.push(item.values);
  return rows;
}
