/** A small registry, operators and a valid contact to vary, for the pure rule tests. */

import { abbreviationFinder } from '../../src/domain/abbreviations.js';
import type {
  OperatorEntry,
  RawContact,
  ReferenceLookup,
  RegistryEntry,
  RuleSettings,
} from '../../src/domain/contact.js';

export const CONTRACTOR = '1955839661';
export const PARTNERSHIP = '2108834503';
export const PARTNER_A = '1097172564';
export const PARTNER_B = '2234567890';
export const EMPTY_PARTNERSHIP = '8526018159';
/** Valid check digit, but not in the registry. */
export const UNREGISTERED = '1083016613';

const records: RegistryEntry[] = [
  { utr: CONTRACTOR, kind: 'contractor', partners: [] },
  { utr: PARTNER_A, kind: 'subcontractor', partners: [] },
  { utr: PARTNER_B, kind: 'subcontractor', partners: [] },
  { utr: PARTNERSHIP, kind: 'partnership', partners: [PARTNER_A, PARTNER_B] },
  { utr: EMPTY_PARTNERSHIP, kind: 'partnership', partners: [] },
];

export const lookup: ReferenceLookup = {
  record: (utr) => records.find((r) => r.utr === utr),
  operator: (pid) =>
    (
      ({
        '1234567': { pid, roles: ['CISR Processor'], logins: [] },
        '2345678': { pid, roles: ['CISR Viewer', 'cisr pursuit manager'], logins: [] },
        '7654321': { pid, roles: ['CISR Viewer'], logins: [] },
        /** Bound to the login alice. */
        '5555555': { pid, roles: ['CISR Processor'], logins: ['alice'] },
      }) as Record<string, OperatorEntry>
    )[pid],
  writer: { login: 'tester', bound: true },
};

export const TODAY = '2026-11-22';

export const settings: RuleSettings = { today: TODAY, strict: false, abbreviations: abbreviationFinder() };

export function validContact(overrides: Partial<RawContact> = {}): RawContact {
  return {
    utr: CONTRACTOR,
    contact_type: 'agent',
    contact_name: 'Jo Bloggs',
    channel: 'phone-inbound',
    direction: '',
    enquiry_date: '2024-05-01',
    authentication: 'authenticated',
    operator_pid: '1234567',
    enquiries: [
      { subject: 'Callback', action_taken: 'Explained the statement', general_notes: 'Agent will call back.' },
    ],
    ...overrides,
  };
}
