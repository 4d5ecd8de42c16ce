import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codePointLength, findControlCharacter, normaliseText } from '../../src/domain/text.js';
import { findPaymentDetails, luhnValid, maskPaymentDetails } from '../../src/domain/payment.js';
import { abbreviationFinder } from '../../src/domain/abbreviations.js';
import { londonDate, parseDate } from '../../src/domain/dates.js';

describe('text', () => {
  it('counts code points as PostgreSQL does', () => {
    expect(codePointLength('abc')).toBe(3);
    expect(codePointLength('é'.repeat(10))).toBe(10);
    expect(codePointLength('😀'.repeat(10))).toBe(10);
    expect('😀'.length).toBe(2);
  });

  it('property: code point length equals the length of the string spread into characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        expect(codePointLength(s)).toBe([...s].length);
      }),
    );
  });

  it('normalises line endings and trims', () => {
    expect(normaliseText('  a\r\nb\rc\n  ')).toBe('a\nb\nc');
  });

  it('finds control characters; notes may hold line breaks and tabs', () => {
    expect(findControlCharacter('a\nb', false)).toBe('U+000A');
    expect(findControlCharacter('a\nb\tc', true)).toBeUndefined();
    expect(findControlCharacter('a\u0000b', true)).toBe('U+0000');
    expect(findControlCharacter('a\u0085b', true)).toBe('U+0085');
    expect(findControlCharacter('café', false)).toBeUndefined();
  });
});

describe('payment details', () => {
  it('property: Luhn accepts exactly one check digit for any payload', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{12,18}$/), (payload) => {
        const valid = [...'0123456789'].filter((d) => luhnValid(payload + d));
        expect(valid).toHaveLength(1);
      }),
    );
  });

  it('finds grouped and plain card numbers and masks all but the last four digits', () => {
    const text = 'paid by 4111-1111-1111-1111 and 5500 0000 0000 0004 today';
    expect(findPaymentDetails(text).map((f) => f.kind)).toEqual(['card', 'card']);
    expect(maskPaymentDetails(text)).toBe('paid by ****-****-****-1111 and **** **** **** 0004 today');
    expect(maskPaymentDetails('4111111111111111')).toBe('************1111');
  });

  it('ignores digit runs that fail Luhn or have the wrong length', () => {
    expect(findPaymentDetails('ref 4111111111111112')).toEqual([]);
    expect(findPaymentDetails('utr 1955839661 phone 02079460000')).toEqual([]);
    expect(findPaymentDetails('411111111111')).toEqual([]); // 12 digits
  });

  it('finds a sort code with an account number in the same field, not either alone', () => {
    expect(findPaymentDetails('sort code 12-34-56 account 12345678').map((f) => f.kind)).toEqual([
      'sort-code',
      'account',
    ]);
    expect(maskPaymentDetails('sort code 12-34-56 account 12345678')).toBe('sort code **-**-** account ****5678');
    expect(findPaymentDetails('sort code 12 34 56 only')).toEqual([]);
    expect(findPaymentDetails('account 12345678 only')).toEqual([]);
  });

  // Real legacy notes: none of these holds payment details, and each must import unchanged.
  const LOOK_ALIKES = [
    'Letter dated 14-07-20 ref 20200714 sent',
    'Case 12345678 opened 01-02-21, next review 01-05-21',
    'Called 0161 496 0000 and 07700 900123, no answer',
    'Phone 020 7946 0000 ext 1234 5678',
    'UTR 1955839661, PAYE ref 123/AB45678, NINO AB123456C',
    'Visits on 14-07-2020 15-07-2020 16-07-2020 and 17-07-2020',
    'Reference CIS-2020-0714-001 and REF12345678901234',
    'Paid £1,234.56 on 12/03/2021, receipt 20210312',
    'Docs 12 34 56 filed; case 87654321 closed',
    'Period 06-04-21 to 05-04-22 return 12345678 received',
    'Claim 4111111111111111X and batch 55000000000000041',
  ];

  it.each(LOOK_ALIKES)('finds nothing in a real note: %s', (text) => {
    expect(findPaymentDetails(text)).toEqual([]);
  });

  it.each([
    ['card 4111 1111 1111 1111', ['card']],
    ['card 4111-1111-1111-1111 expires 12/27', ['card']],
    ['amex 3782 822463 10005', ['card']],
    ['4111111111111111', ['card']],
    ['sort code 12-34-56 account 12345678', ['sort-code', 'account']],
    ['a/c 12345678 s/c 12 34 56', ['account', 'sort-code']],
    ['Bank: 12-34-56, acc no. 12345678', ['sort-code', 'account']],
    ['12-34-56 12345678', ['sort-code', 'account']],
    ['paid from 12-34-56 / 12345678 on 14-07-20', ['sort-code', 'account']],
  ])('still finds real payment details: %s', (text, kinds) => {
    expect(findPaymentDetails(text).map((f) => f.kind)).toEqual(kinds);
  });

  it('property: any Luhn-valid 16-digit number in text is found and never shown whole', () => {
    const card = fc.stringMatching(/^\d{15}$/).map((p) => p + [...'0123456789'].find((d) => luhnValid(p + d)));
    fc.assert(
      fc.property(card, (number) => {
        const text = `card ${number} given`;
        expect(findPaymentDetails(text)).toHaveLength(1);
        expect(maskPaymentDetails(text)).not.toContain(number.slice(0, 12));
      }),
    );
  });
});

describe('abbreviations', () => {
  const find = abbreviationFinder();
  it('finds whole words in capitals only', () => {
    expect(find('Sent WAM letter, TTP agreed')).toEqual(['WAM', 'TTP']);
    expect(find('wam ttp Wam AOK VRX')).toEqual([]);
    expect(find('NINO: checked')).toEqual(['NINO']);
  });
  it('takes a configured list', () => {
    expect(abbreviationFinder(['ASAP'])('reply ASAP, WAM')).toEqual(['ASAP']);
  });
});

describe('dates', () => {
  it('reads ISO and UK forms and refuses impossible dates', () => {
    expect(parseDate('2010-04-30')).toBe('2010-04-30');
    expect(parseDate('30/04/2010')).toBe('2010-04-30');
    expect(parseDate('31/04/2010')).toBeUndefined();
    expect(parseDate('29/02/2023')).toBeUndefined();
    expect(parseDate('29/02/2024')).toBe('2024-02-29');
    expect(parseDate('2010/04/30')).toBeUndefined();
  });
  it('property: a date is real exactly when the calendar has it (leap years by the Gregorian rule)', () => {
    const pad = (n: number, w: number) => String(n).padStart(w, '0');
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        (y, m, d) => {
          const calendar = new Date(0);
          calendar.setUTCFullYear(y, m - 1, d);
          const real = m >= 1 && m <= 12 && d >= 1 && calendar.getUTCMonth() === m - 1 && calendar.getUTCDate() === d;
          const iso = `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
          expect(parseDate(iso)).toBe(real ? iso : undefined);
          expect(parseDate(`${d}/${m}/${pad(y, 4)}`)).toBe(real ? iso : undefined);
        },
      ),
      { numRuns: 3000 },
    );
    expect(parseDate('29/02/2000')).toBe('2000-02-29');
    expect(parseDate('29/02/1900')).toBeUndefined();
  });
  it('knows the London date around midnight in summer time', () => {
    expect(londonDate(new Date('2026-06-30T22:59:59Z'))).toBe('2026-06-30');
    expect(londonDate(new Date('2026-06-30T23:00:00Z'))).toBe('2026-07-01');
    expect(londonDate(new Date('2026-12-31T23:59:59Z'))).toBe('2026-12-31');
  });
  it("gives the London date Intl's time-zone database gives, at every summer-time change and every day's last UTC hour, 1990-2100", () => {
    const database = new Intl.DateTimeFormat('en-CA', {
      timeZone: 'Europe/London',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    const HOUR = 3_600_000;
    let checked = 0;
    const wrong: string[] = [];
    const check = (at: number) => {
      checked++;
      if (londonDate(new Date(at)) !== database.format(at)) wrong.push(new Date(at).toISOString());
    };
    for (let day = Date.UTC(1990, 0, 1); day < Date.UTC(2101, 0, 1); day += 24 * HOUR) {
      // The date can only be wrong between 23:00 and midnight UTC, and then only if the offset is.
      check(day + 23 * HOUR);
      check(day + 23 * HOUR + 59 * 60_000);
    }
    // Each change itself, to the minute, on the last Sundays of March and October.
    for (let year = 1996; year <= 2100; year++) {
      for (const month of [2, 9]) {
        const last = new Date(Date.UTC(year, month + 1, 0));
        const change = Date.UTC(year, month, last.getUTCDate() - last.getUTCDay(), 1);
        for (let at = change - 26 * HOUR; at <= change + 26 * HOUR; at += 15 * 60_000) check(at);
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(100_000);
  });
});
