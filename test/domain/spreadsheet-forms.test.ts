import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDate, spreadsheetDateHint } from '../../src/domain/dates.js';
import { parsePid } from '../../src/domain/pid.js';
import { splitList } from '../../src/domain/contact.js';

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const pad = (n: number) => String(n).padStart(2, '0');
const daysIn = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

/** A real date of this century with a time of day, as the calendar knows it. */
const dated = fc
  .record({
    y: fc.integer({ min: 2000, max: 2099 }),
    m: fc.integer({ min: 1, max: 12 }),
    d: fc.integer({ min: 1, max: 31 }),
    h: fc.integer({ min: 0, max: 23 }),
    min: fc.integer({ min: 0, max: 59 }),
    s: fc.option(fc.integer({ min: 0, max: 59 })),
  })
  .filter(({ y, m, d }) => d <= daysIn(y, m));

describe('dates as legacy logs write them', () => {
  it('property: every accepted form of a date, with or without a time of day, reads as the same calendar date', () => {
    fc.assert(
      fc.property(dated, ({ y, m, d, h, min, s }) => {
        const iso = `${y}-${pad(m)}-${pad(d)}`;
        const time = `${pad(h)}:${pad(min)}${s === null ? '' : `:${pad(s)}`}`;
        const forms = [
          iso,
          `${d}/${m}/${y}`,
          `${pad(d)}/${pad(m)}/${y}`,
          `${pad(d)}/${pad(m)}/${String(y).slice(2)}`,
          `${d} ${MONTHS[m - 1]!.slice(0, 3)} ${y}`,
          `${d} ${MONTHS[m - 1]} ${y}`,
          `${iso} ${time}`,
          `${iso}T${time}`,
          `${pad(d)}/${pad(m)}/${y} ${time}`,
        ];
        for (const form of forms) expect(parseDate(form), form).toBe(iso);
      }),
    );
  });

  it('property: a day the month does not have is never a date, in any form', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2000, max: 2099 }), fc.integer({ min: 1, max: 12 }), (y, m) => {
        const d = daysIn(y, m) + 1;
        for (const form of [`${y}-${pad(m)}-${pad(d)}`, `${d}/${m}/${y}`, `${d} ${MONTHS[m - 1]} ${y}`])
          expect(parseDate(form), form).toBeUndefined();
      }),
    );
  });

  it('never guesses US order, and refuses impossible times', () => {
    expect(parseDate('12/31/2020')).toBeUndefined();
    expect(parseDate('31/04/2010')).toBeUndefined();
    expect(parseDate('2015-04-01 24:00')).toBeUndefined();
    expect(parseDate('2015-04-01 10:60')).toBeUndefined();
    expect(parseDate('1 Foo 2015')).toBeUndefined();
  });
});

describe('dates as spreadsheets make them', () => {
  it("Excel's serial numbers and d-mmm-yy are refused, with the date they would be", () => {
    for (const form of ['42095', '42095.0', '42095.5', '01-Apr-15', '1-April-2015']) {
      expect(parseDate(form), form).toBeUndefined();
      expect(spreadsheetDateHint(form), form).toMatch(/which would be 1 April 2015/);
    }
    expect(spreadsheetDateHint('39544')).toMatch(
      /serial number, which would be 6 April 2008: format the column as a date/,
    );
    expect(spreadsheetDateHint('01-Apr-15')).toMatch(/write it as 2015-04-01 \(or 1 Apr 2015\)/);
    // Numbers that are no date of the scheme's, and words that are no month, get no guess.
    for (const other of ['12345', '99999', '31-Foo-15', '31-Apr-15', '2015'])
      expect(spreadsheetDateHint(other), other).toBeUndefined();
  });

  it('property: a serial number is hinted as the day Excel counts it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 39448, max: 73050 }), (serial) => {
        const day = new Date(Date.UTC(1899, 11, 30 + serial));
        const named = `${day.getUTCDate()} ${MONTHS[day.getUTCMonth()]} ${day.getUTCFullYear()}`;
        expect(spreadsheetDateHint(String(serial))).toContain(`which would be ${named}:`);
      }),
    );
  });
});

describe('PIDs as spreadsheets write them', () => {
  it("removes spaces inside, Excel's leading ' and a trailing .0; never pads a shorter PID", () => {
    expect(parsePid('1234567.0')).toEqual({ ok: true, pid: '1234567' });
    expect(parsePid("'0123456")).toEqual({ ok: true, pid: '0123456' });
    expect(parsePid(' 123 4567 ')).toEqual({ ok: true, pid: '1234567' });
    expect(parsePid('0123456')).toEqual({ ok: true, pid: '0123456' });
    expect(parsePid('123456')).toMatchObject({
      ok: false,
      code: 'operator-format',
      detail: expect.stringMatching(/dropped a leading zero/),
    });
    // Any shorter PID: a number column drops every leading zero.
    expect(parsePid('53688.0')).toMatchObject({
      ok: false,
      code: 'operator-format',
      detail: expect.stringMatching(/^it has 5 digits: a spreadsheet may have dropped 2 leading zeros;/),
    });
    expect(parsePid('7')).toMatchObject({
      ok: false,
      code: 'operator-format',
      detail: expect.stringMatching(/^it has 1 digit: a spreadsheet may have dropped 6 leading zeros;/),
    });
    expect(parsePid('12345678')).toEqual({ ok: false, code: 'operator-format', value: '12345678' });
    expect(parsePid('1234567.5')).toMatchObject({ ok: false, code: 'operator-format' });
    expect(parsePid('  ')).toEqual({ ok: false, code: 'operator-missing' });
  });

  it('lists are separated by ; or ,', () => {
    expect(splitList('A; B,C ,, D')).toEqual(['A', 'B', 'C', 'D']);
  });
});
