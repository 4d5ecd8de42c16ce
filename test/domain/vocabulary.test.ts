import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AUTHENTICATIONS,
  CHANNELS,
  CONTACT_TYPES,
  DIRECTIONS,
  RECORDING_ROLES,
  RECORD_KINDS,
  SUBJECTS,
  matchAuthentication,
  matchChannel,
  matchContactType,
  matchDirection,
  matchKind,
  matchRecordingRole,
  matchSubject,
} from '../../src/domain/vocabulary.js';

const enumerations = [
  ['kind', RECORD_KINDS, matchKind],
  ['contact type', CONTACT_TYPES, matchContactType],
  ['channel', CHANNELS, matchChannel],
  ['direction', DIRECTIONS, matchDirection],
  ['authentication', AUTHENTICATIONS, matchAuthentication],
  ['subject', SUBJECTS, matchSubject],
  ['recording role', RECORDING_ROLES, matchRecordingRole],
] as const;

describe('enumeration matching', () => {
  it.each(enumerations)('%s: any case, surrounding white space, gives the canonical spelling', (_, values, match) => {
    const spelling = fc.tuple(
      fc.constantFrom(...values),
      fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
      fc.constantFrom('', ' ', '\t', '  '),
      fc.constantFrom('', ' ', '\t'),
    );
    fc.assert(
      fc.property(spelling, ([value, upper, before, after]) => {
        const mangled = [...value].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join('');
        expect((match as (s: string) => string | undefined)(`${before}${mangled}${after}`)).toBe(value);
      }),
      { numRuns: 300 },
    );
  });

  it('knows the aliases of "third party" and nothing else', () => {
    expect(matchContactType('Third-Party')).toBe('third party');
    expect(matchContactType(' third_party ')).toBe('third party');
    expect(matchContactType('third  party')).toBeUndefined();
    expect(matchChannel('e-mail')).toBeUndefined();
    expect(matchDirection('')).toBeUndefined();
    expect(matchSubject('Other ')).toBe('Other');
  });
});
