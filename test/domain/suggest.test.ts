import { describe, expect, it } from 'vitest';
import { editDistance, nearestValue } from '../../src/domain/suggest.js';
import { AUTHENTICATIONS, CHANNELS, CONTACT_TYPES, DIRECTIONS, SUBJECTS } from '../../src/domain/vocabulary.js';
import { allErrors, checkContact } from '../../src/domain/contact.js';
import { lookup, settings, validContact } from '../support/domain-fixtures.js';

describe('did you mean', () => {
  it('counts letters inserted, removed, changed or swapped', () => {
    expect(editDistance('phone-inbund', 'phone-inbound')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('agnet', 'agent')).toBe(1);
  });

  it('finds the value a slip of the keyboard was meant to be, in any case, or the one value a word starts', () => {
    expect(nearestValue('phone-inbund', CHANNELS)).toBe('phone-inbound');
    expect(nearestValue(' E-MAIL ', CHANNELS)).toBe('email');
    expect(nearestValue('internal', CHANNELS)).toBe('internal-enquiry');
    expect(nearestValue('callbak', SUBJECTS)).toBe('Callback');
    expect(nearestValue('agnet', CONTACT_TYPES)).toBe('agent');
    expect(nearestValue('authenticatd', AUTHENTICATIONS)).toBe('authenticated');
    expect(nearestValue('outbund', DIRECTIONS)).toBe('Outbound');
  });

  it('guesses nothing when nothing is close, or two values are equally so', () => {
    expect(nearestValue('telepathy', CHANNELS)).toBeUndefined();
    expect(nearestValue('phone', CHANNELS)).toBeUndefined();
    expect(nearestValue('', CHANNELS)).toBeUndefined();
  });

  it('the rules put the guess in the message', () => {
    const errors = allErrors(checkContact(validContact({ channel: 'phone-inbund' }), lookup, settings));
    expect(errors.map((e) => e.message)).toContain(
      'channel ("phone-inbund") must be one of phone-inbound, phone-outbound, face-to-face, letter, email, fax or internal-enquiry; did you mean phone-inbound?',
    );
  });
});
