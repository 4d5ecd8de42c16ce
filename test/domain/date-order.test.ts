/**
 * The order of day and month is the file's: dates are read in one order, and
 * what the file's dates say of its order is gathered for the whole file.
 * A timestamp with a time zone is named as such, with its London date.
 */

import { describe, expect, it } from 'vitest';
import { DateOrderEvidence, parseDate, zonedTimestamp } from '../../src/domain/dates.js';
import { allErrors, checkContact } from '../../src/domain/contact.js';
import { lookup, settings, validContact } from '../support/domain-fixtures.js';

describe('day and month order', () => {
  it('reads slashed dates day first by default and month first when told, with two- or four-digit years and a time of day', () => {
    expect(parseDate('03/04/2015')).toBe('2015-04-03');
    expect(parseDate('03/04/2015', 'mdy')).toBe('2015-03-04');
    expect(parseDate('4/15/15', 'mdy')).toBe('2015-04-15');
    expect(parseDate('12/31/2015 10:30', 'mdy')).toBe('2015-12-31');
    expect(parseDate('12/31/2015')).toBeUndefined();
    expect(parseDate('31/12/2015', 'mdy')).toBeUndefined();
    // Forms that carry no order read the same either way.
    expect(parseDate('2015-04-03', 'mdy')).toBe('2015-04-03');
    expect(parseDate('3 April 2015', 'mdy')).toBe('2015-04-03');
  });

  it('gathers the first date that only one order reads, each way; dates both orders read say nothing', () => {
    const evidence = new DateOrderEvidence();
    for (const [value, line] of [
      ['03/04/2015', 2],
      ['2015-12-31', 3],
      ['04/15/2015', 4],
      ['12/31/15 09:00', 5],
      ['13/13/2015', 6],
    ] as const)
      evidence.see(value, line);
    expect(evidence.against('dmy')).toEqual({ line: 4, value: '04/15/2015', notAMonth: 15 });
    expect(evidence.against('mdy')).toBeUndefined();
    evidence.see(' 15/04/2015 ', 7);
    expect(evidence.against('mdy')).toEqual({ line: 7, value: '15/04/2015', notAMonth: 15 });
    expect(new DateOrderEvidence().against('dmy')).toBeUndefined();
  });
});

describe('a timestamp with a time zone', () => {
  it('is named with its zone and its London date, not as "not a real date"', () => {
    expect(zonedTimestamp('2015-06-30T23:30:00Z')).toEqual({ zone: 'UTC', londonDate: '2015-07-01' });
    expect(zonedTimestamp('2015-01-31T23:30:00.000Z')).toEqual({ zone: 'UTC', londonDate: '2015-01-31' });
    expect(zonedTimestamp('2015-06-30T01:30+0200')).toEqual({ zone: 'UTC+02:00', londonDate: '2015-06-30' });
    expect(zonedTimestamp('2015-06-30T23:30:00')).toBeUndefined();
    expect(zonedTimestamp('2015-02-30T10:00:00Z')).toBeUndefined();
    const [error] = allErrors(checkContact(validContact({ enquiry_date: '2015-06-30T23:30:00Z' }), lookup, settings));
    expect(error?.code).toBe('date-format');
    expect(error?.message).toBe(
      'enquiry_date ("2015-06-30T23:30:00Z") is a moment with a time zone (UTC), not a date: in London it is 2015-07-01; write the day the contact was made as a date (YYYY-MM-DD)',
    );
  });
});
