/**
 * Enumerations and limits of the manual, in canonical spelling.
 * Input is matched case-insensitively after trimming; storage always holds the
 * canonical form shown here.
 */

export const SCHEME_START = '2008-04-06';

/** An operator's personnel identifier: exactly 7 digits. */
export const PID_FORMAT = /^\d{7}$/;

export const LIMITS = {
  recordName: 160,
  contactName: 100,
  actionTaken: 100,
  generalNotes: 512,
} as const;

export const RECORD_KINDS = ['contractor', 'subcontractor', 'partnership'] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

export const CONTACT_TYPES = ['contractor', 'subcontractor', 'agent', 'capacitor', 'third party'] as const;
export type ContactType = (typeof CONTACT_TYPES)[number];

export const CHANNELS = [
  'phone-inbound',
  'phone-outbound',
  'face-to-face',
  'letter',
  'email',
  'fax',
  'internal-enquiry',
] as const;
export type Channel = (typeof CHANNELS)[number];

export const DIRECTIONS = ['Inbound', 'Outbound'] as const;
export type Direction = (typeof DIRECTIONS)[number];

export const AUTHENTICATIONS = ['authenticated', 'waived'] as const;
export type Authentication = (typeof AUTHENTICATIONS)[number];

export const SUBJECTS = ['Internal Referral', 'Letter', 'Callback', 'Complaint', 'Other'] as const;
export type Subject = (typeof SUBJECTS)[number];

/** Roles that grant recording (CISR90610, DMBM524558). Others may be held but grant nothing. */
export const RECORDING_ROLES = [
  'CISR Processor',
  'CISR Processor Manager',
  'CISR Penalty Administrator',
  'CISR Pursuit Officer',
  'CISR Pursuit Manager',
] as const;

/**
 * Roles the manuals name that grant no recording: held, stored, but no use
 * for `record`. Any other role name is refused (`role-unknown`), so a typo
 * never quietly costs an operator the right to record.
 */
const OTHER_KNOWN_ROLES = ['CIS Read Only', 'CISR Viewer'] as const;

/** Channels whose direction is fixed; the others may be either and default to Inbound. */
export const FIXED_DIRECTION: Partial<Record<Channel, Direction>> = {
  'internal-enquiry': 'Outbound',
  'phone-outbound': 'Outbound',
  'phone-inbound': 'Inbound',
};

export function defaultDirection(channel: Channel): Direction {
  return FIXED_DIRECTION[channel] ?? 'Inbound';
}

/** Channels where the customer is not on the other end: no contact type, name or authentication needed. */
export function isInternal(channel: Channel): boolean {
  return channel === 'internal-enquiry';
}

export const DEFAULT_ABBREVIATIONS = ['WAM', 'TTP', 'DTO', 'IDMS', 'SEES', 'DMTC', 'TTQT', 'NINO', 'VR', 'AO'] as const;

function matcher<T extends string>(values: readonly T[], aliases: Record<string, T> = {}) {
  const table = new Map<string, T>(values.map((x) => [x.toLowerCase(), x]));
  for (const [alias, canonical] of Object.entries(aliases)) table.set(alias.toLowerCase(), canonical);
  // Most input is already spelled canonically: found as it is, it needs no trimmed or lower-cased copy.
  for (const x of values) table.set(x, x);
  return (input: string): T | undefined => table.get(input) ?? table.get(input.trim().toLowerCase());
}

export const matchKind = matcher(RECORD_KINDS);
export const matchContactType = matcher(CONTACT_TYPES, { 'third-party': 'third party', third_party: 'third party' });
export const matchChannel = matcher(CHANNELS);
export const matchDirection = matcher(DIRECTIONS);
export const matchAuthentication = matcher(AUTHENTICATIONS);
export const matchSubject = matcher(SUBJECTS);
export const matchRecordingRole = matcher(RECORDING_ROLES);
export const matchKnownRole = matcher([...RECORDING_ROLES, ...OTHER_KNOWN_ROLES]);
