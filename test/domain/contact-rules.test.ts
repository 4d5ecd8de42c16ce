/**
 * Every code a single contact can raise: an input that raises it, and a near
 * neighbour that does not. Messages name the field and, where there is one, the limit.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../src/domain/catalogue.js';
import { type RawContact, type RawEnquiry, allErrors, allWarnings, checkContact } from '../../src/domain/contact.js';
import {
  CONTRACTOR,
  EMPTY_PARTNERSHIP,
  PARTNER_A,
  PARTNER_B,
  PARTNERSHIP,
  TODAY,
  UNREGISTERED,
  lookup,
  settings,
  validContact,
} from '../support/domain-fixtures.js';

const enquiry = (e: RawEnquiry): Partial<RawContact> => ({
  enquiries: [{ subject: 'Callback', action_taken: 'Called back', ...e }],
});

function codes(raw: RawContact, strict = false) {
  const check = checkContact(raw, lookup, { ...settings, strict });
  return { errors: allErrors(check).map((i) => i.code), warnings: allWarnings(check).map((i) => i.code), check };
}

type Case = [code: string, raises: Partial<RawContact>, neighbour: Partial<RawContact>];

const ERROR_CASES: Case[] = [
  ['control-character', { contact_name: 'Jo\u0007Bloggs' }, { contact_name: 'Jo Bloggs' }],
  [
    'control-character',
    enquiry({ action_taken: 'line one\nline two' }),
    enquiry({ general_notes: 'line one\nline two\twith tab' }),
  ],
  ['utr-missing', { utr: ' ' }, { utr: CONTRACTOR }],
  ['utr-format', { utr: '195583966' }, { utr: 'K1955839661' }],
  ['utr-check-digit', { utr: '1234567890' }, { utr: '1955839661' }],
  ['unknown-record', { utr: UNREGISTERED }, { utr: CONTRACTOR }],
  ['partners-not-allowed', { partners: PARTNER_A }, { utr: PARTNERSHIP, partners: PARTNER_A }],
  [
    'not-a-partner',
    { utr: PARTNERSHIP, partners: CONTRACTOR },
    { utr: PARTNERSHIP, partners: `${PARTNER_A};${PARTNER_B}` },
  ],
  ['partnership-without-partners', { utr: EMPTY_PARTNERSHIP }, { utr: PARTNERSHIP }],
  [
    'contact-type-missing',
    { contact_type: '' },
    { contact_type: '', channel: 'internal-enquiry', contact_name: '', authentication: '' },
  ],
  ['contact-type-invalid', { contact_type: 'accountant' }, { contact_type: 'Third-Party' }],
  ['contact-name-missing', { contact_name: '  ' }, { contact_name: '', channel: 'internal-enquiry' }],
  ['contact-name-too-long', { contact_name: 'é'.repeat(101) }, { contact_name: 'é'.repeat(100) }],
  ['channel-missing', { channel: '' }, { channel: 'email' }],
  ['channel-invalid', { channel: 'pigeon' }, { channel: ' EMAIL ' }],
  ['direction-invalid', { direction: 'sideways' }, { direction: 'inbound' }],
  ['direction-conflict', { direction: 'Outbound' }, { channel: 'letter', direction: 'Outbound' }],
  [
    'direction-conflict',
    { channel: 'internal-enquiry', direction: 'Inbound' },
    { channel: 'internal-enquiry', direction: '' },
  ],
  ['authentication-required', { authentication: '' }, { authentication: 'Waived' }],
  ['authentication-required', { authentication: 'maybe' }, { authentication: '', channel: 'internal-enquiry' }],
  ['date-missing', { enquiry_date: '' }, { enquiry_date: '2024-05-01' }],
  ['date-format', { enquiry_date: '31/04/2010' }, { enquiry_date: '30/04/2010' }],
  ['date-before-scheme', { enquiry_date: '05/04/2008' }, { enquiry_date: '06/04/2008' }],
  ['date-in-future', { enquiry_date: '2026-11-23' }, { enquiry_date: TODAY }],
  ['operator-missing', { operator_pid: '' }, { operator_pid: '1234567' }],
  ['operator-format', { operator_pid: '123456' }, { operator_pid: ' 1234567 ' }],
  ['unknown-operator', { operator_pid: '9999999' }, { operator_pid: '2345678' }],
  ['operator-not-authorised', { operator_pid: '7654321' }, { operator_pid: '2345678' }],
  ['operator-not-yours', { operator_pid: '5555555' }, { operator_pid: '1234567' }],
  ['subject-missing', enquiry({ subject: '' }), enquiry({ subject: 'letter' })],
  ['subject-invalid', enquiry({ subject: 'Chat' }), enquiry({ subject: 'internal referral' })],
  [
    'action-required',
    enquiry({ subject: 'Other', action_taken: ' ' }),
    enquiry({ subject: 'Other', action_taken: 'Checked' }),
  ],
  ['action-too-long', enquiry({ action_taken: '😀'.repeat(101) }), enquiry({ action_taken: '😀'.repeat(100) })],
  ['action-too-long', enquiry({ action_taken: 'a'.repeat(101) }), enquiry({ action_taken: ` ${'a'.repeat(100)}  ` })],
  ['notes-too-long', enquiry({ general_notes: 'n'.repeat(513) }), enquiry({ general_notes: 'n'.repeat(512) })],
  [
    'payment-details',
    enquiry({ general_notes: 'card 4111 1111 1111 1111' }),
    enquiry({ general_notes: 'invoice 4111 1111 1111 1112' }),
  ],
  ['payment-details', { contact_name: 'Jo 12-34-56 12345678' }, { contact_name: 'Jo 12-34-56' }],
];

describe('contact rules', () => {
  it('accepts the base contact with no issues', () => {
    const { errors, warnings, check } = codes(validContact());
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
    expect(check.contact).toMatchObject({ utr: CONTRACTOR, direction: 'Inbound', contactType: 'agent' });
    expect(check.targets).toEqual([{ utr: CONTRACTOR, partnershipUtr: null }]);
  });

  it.each(ERROR_CASES)('%s: raised, and not by its near neighbour', (code, raises, neighbour) => {
    const bad = codes(validContact(raises));
    expect(bad.errors).toContain(code);
    expect(bad.check.contact).toBeUndefined();
    const good = codes(validContact(neighbour));
    expect(good.errors).not.toContain(code);
  });

  it('a PID bound to logins takes contacts from those logins, and from a superuser, whom the database cannot bind', () => {
    for (const writer of [
      { login: 'alice', bound: true },
      { login: 'postgres', bound: false },
    ]) {
      expect(
        allErrors(checkContact(validContact({ operator_pid: '5555555' }), { ...lookup, writer }, settings)),
      ).toEqual([]);
    }
    const refused = allErrors(checkContact(validContact({ operator_pid: '5555555' }), lookup, settings));
    expect(refused.map((i) => i.message)).toEqual([
      'operator PID 5555555 is bound to other database logins (you are tester); record under your own PID',
    ]);
  });

  it('every row-level code a contact can raise is covered by a case above', () => {
    const covered = new Set(ERROR_CASES.map(([code]) => code));
    const contactCodes = [...CATALOGUE.values()].filter(
      (e) =>
        e.severity === 'error' &&
        (/CISR|DMBM/.test(e.manual) || e.code === 'control-character') &&
        ![
          'contact-fields-differ',
          'contact-ref-reused',
          'conflicts-with-recorded',
          'sibling-rejected',
          'name-missing',
          'name-too-long',
          'kind-invalid',
          'partner-of-invalid',
          'roles-missing',
          'role-unknown',
        ].includes(e.code),
    );
    for (const e of contactCodes) expect(covered, e.code).toContain(e.code);
  });

  it('messages name the field and the limit', () => {
    const { check } = codes(
      validContact({
        ...enquiry({ action_taken: 'a'.repeat(101), general_notes: 'b'.repeat(600) }),
        contact_name: 'c'.repeat(101),
      }),
    );
    const messages = allErrors(check).map((i) => [i.code, i.field, i.message]);
    expect(messages).toEqual([
      ['contact-name-too-long', 'contact_name', 'contact_name is 101 characters; the limit is 100'],
      ['action-too-long', 'action_taken', 'action_taken is 101 characters; the limit is 100'],
      ['notes-too-long', 'general_notes', 'general_notes is 600 characters; the limit is 512'],
    ]);
    // A missing PID is named by its column: record and run name their flag, and the ways to give it, themselves.
    expect(allErrors(codes(validContact({ operator_pid: ' ' })).check)).toEqual([
      {
        code: 'operator-missing',
        field: 'operator_pid',
        message: 'operator_pid is required: the 7-digit PID of the operator',
      },
    ]);
  });

  it('reports every error of a contact, in catalogue order', () => {
    const { errors } = codes(
      validContact({
        utr: '1234567890',
        channel: 'phone-inbound',
        direction: 'Outbound',
        enquiry_date: '31/04/2010',
        operator_pid: 'x',
        ...enquiry({ subject: 'Other', action_taken: '' }),
      }),
    );
    expect(errors).toEqual([
      'utr-check-digit',
      'direction-conflict',
      'date-format',
      'operator-format',
      'action-required',
    ]);
  });

  it('never repeats a payment number in a message', () => {
    const { check } = codes(validContact(enquiry({ general_notes: 'card 4111111111111111' })));
    const message = allErrors(check)[0]!.message;
    expect(message).toContain('************1111');
    expect(message).not.toContain('4111111111111111');
  });

  describe('warnings', () => {
    it('action-missing unless the subject is Other; strict turns it into an error', () => {
      expect(codes(validContact(enquiry({ action_taken: '' }))).warnings).toEqual(['action-missing']);
      expect(codes(validContact(enquiry({ action_taken: 'x' }))).warnings).toEqual([]);
      const strict = codes(validContact(enquiry({ action_taken: '' })), true);
      expect(strict.errors).toEqual(['action-missing']);
      expect(strict.check.contact).toBeUndefined();
    });

    it('abbreviation for whole words in capitals', () => {
      expect(codes(validContact(enquiry({ general_notes: 'Agreed a TTP' }))).warnings).toEqual(['abbreviation']);
      expect(codes(validContact(enquiry({ general_notes: 'Agreed a time to pay arrangement' }))).warnings).toEqual([]);
      expect(codes(validContact(enquiry({ general_notes: 'Agreed a TTP' })), true).errors).toEqual(['abbreviation']);
    });
  });

  describe('partnerships', () => {
    it('expands to every partner, never the partnership', () => {
      const { check } = codes(validContact({ utr: PARTNERSHIP }));
      expect(check.targets).toEqual([
        { utr: PARTNER_A, partnershipUtr: PARTNERSHIP },
        { utr: PARTNER_B, partnershipUtr: PARTNERSHIP },
      ]);
    });
    it('expands to the chosen subset only', () => {
      const { check } = codes(validContact({ utr: PARTNERSHIP, partners: ` ${PARTNER_B} ; ` }));
      expect(check.targets).toEqual([{ utr: PARTNER_B, partnershipUtr: PARTNERSHIP }]);
    });
  });

  it('internal enquiries default to Outbound and need no customer details', () => {
    const { errors, check } = codes(
      validContact({
        channel: 'internal-enquiry',
        contact_type: '',
        contact_name: '',
        authentication: '',
        direction: '',
      }),
    );
    expect(errors).toEqual([]);
    expect(check.contact).toMatchObject({
      direction: 'Outbound',
      contactType: null,
      contactName: null,
      authentication: null,
    });
  });

  it('stores canonical spellings', () => {
    const { check } = codes(
      validContact({
        contact_type: ' THIRD_PARTY ',
        channel: 'Face-To-Face',
        direction: 'outbound',
        authentication: 'WAIVED',
        ...enquiry({ subject: 'internal referral' }),
      }),
    );
    expect(check.contact).toMatchObject({
      contactType: 'third party',
      channel: 'face-to-face',
      direction: 'Outbound',
      authentication: 'waived',
    });
    expect(check.contact!.enquiries[0]!.subject).toBe('Internal Referral');
  });

  it('property: text up to its limit in code points passes, one more fails', () => {
    const char = fc.constantFrom('a', 'é', '中', '😀', '𝄞');
    fc.assert(
      fc.property(char, fc.integer({ min: 90, max: 100 }), (c, n) => {
        expect(codes(validContact(enquiry({ action_taken: c.repeat(n) }))).errors).toEqual([]);
        expect(codes(validContact(enquiry({ action_taken: c.repeat(101) }))).errors).toEqual(['action-too-long']);
      }),
    );
  });
});
