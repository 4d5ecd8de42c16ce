/**
 * Enquiry dates in the forms legacy logs and spreadsheets write, real
 * calendar dates only: `YYYY-MM-DD`, `D/M/YYYY` and `DD/MM/YY` (20YY),
 * `1 Apr 2015` and `1 April 2015`, each optionally with a time of day
 * (`HH:MM[:SS]`, after a space, or a `T` in the ISO form), of which only the
 * date is kept. Day and month order is the file's, never guessed a date at a
 * time: day first (the manual's order) unless the file is read month first.
 */

/** Which number of `03/04/2015` is the day: `dmy` (UK, the default) or `mdy` (US). */
export type DateOrder = 'dmy' | 'mdy';

const ISO = /^(\d{4})-(\d{2})-(\d{2})$/;
const SLASHED = /^(\d{1,2})\/(\d{1,2})\/(\d{4}|\d{2})$/;
const NAMED = /^(\d{1,2}) ([A-Za-z]+)\.? (\d{4})$/;
/** A time of day after the date: only checked, never kept. */
const TIME = /^(?:(\d{4}-\d{2}-\d{2})T|(.+?) +)([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/;
const MONTHS = new Map<string, number>(
  [
    'january',
    'february',
    'march',
    'april',
    'may',
    'june',
    'july',
    'august',
    'september',
    'october',
    'november',
    'december',
  ].flatMap((name, i): [string, number][] => [
    [name, i + 1],
    [name.slice(0, 3), i + 1],
  ]),
);
MONTHS.set('sept', 9);

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!;
}

function realDate(y: number, m: number, d: number): boolean {
  return y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

const asIso = (y: number, m: number, d: number) =>
  `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

function dateOnly(s: string, order: DateOrder): string | undefined {
  const iso = ISO.exec(s);
  if (iso) return realDate(Number(iso[1]), Number(iso[2]), Number(iso[3])) ? s : undefined;
  const slashed = SLASHED.exec(s);
  if (slashed) {
    const y = slashed[3]!.length === 2 ? 2000 + Number(slashed[3]) : Number(slashed[3]);
    const [first, second] = [Number(slashed[1]), Number(slashed[2])];
    const [m, d] = order === 'dmy' ? [second, first] : [first, second];
    return realDate(y, m, d) ? asIso(y, m, d) : undefined;
  }
  const named = NAMED.exec(s);
  if (named) {
    const m = MONTHS.get(named[2]!.toLowerCase());
    const [y, d] = [Number(named[3]), Number(named[1])];
    return m !== undefined && realDate(y, m, d) ? asIso(y, m, d) : undefined;
  }
  return undefined;
}

/** The date as `YYYY-MM-DD`, or undefined when it is not a real date in one of the forms. */
export function parseDate(input: string, order: DateOrder = 'dmy'): string | undefined {
  const s = input.trim();
  const plain = dateOnly(s, order);
  if (plain !== undefined || !/\d:\d/.test(s)) return plain;
  const timed = TIME.exec(s);
  return timed ? dateOnly(timed[1] ?? timed[2]!, order) : undefined;
}

/** The two numbers of a slashed date (`03/04/2015`, with or without a time of day), in the order written. */
function slashedNumbers(input: string): [number, number] | undefined {
  const s = input.trim();
  const timed = /\d:\d/.test(s) ? TIME.exec(s) : null;
  const slashed = SLASHED.exec(timed ? (timed[2] ?? '') : s);
  return slashed ? [Number(slashed[1]), Number(slashed[2])] : undefined;
}

/** A date that can be read in one order only: its line and value. */
export interface OrderWitness {
  line: number;
  value: string;
  /** The number that would be its month in the other order: over 12. */
  notAMonth: number;
}

/**
 * What a file's slashed dates say of its order, gathered value by value in
 * one pass: the first date that can only be day first (its second number is
 * no month, `15/04/2015`) and the first that can only be month first
 * (`04/15/2015`). Dates with both numbers up to 12 say nothing; dates with
 * neither a month are no date at all, for the rules to report.
 */
export class DateOrderEvidence {
  dayFirst: OrderWitness | undefined;
  monthFirst: OrderWitness | undefined;

  see(value: string, line: number): void {
    if (this.dayFirst && this.monthFirst) return;
    const numbers = slashedNumbers(value);
    if (!numbers) return;
    const [first, second] = numbers;
    if (first > 12 && second >= 1 && second <= 12) this.dayFirst ??= { line, value: value.trim(), notAMonth: first };
    else if (second > 12 && first >= 1 && first <= 12)
      this.monthFirst ??= { line, value: value.trim(), notAMonth: second };
  }

  /** The first date that cannot be read in `order`, if any. */
  against(order: DateOrder): OrderWitness | undefined {
    return order === 'dmy' ? this.monthFirst : this.dayFirst;
  }
}

const MONTH_NAMES = [
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
const spelt = (iso: string) => {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  return `${d} ${MONTH_NAMES[m - 1]} ${y}`;
};

/** Excel's day 0 (its serial 1 is 1900-01-01, counting the 29 February 1900 that never was). */
const EXCEL_EPOCH = Date.UTC(1899, 11, 30);
const EXCEL_SERIAL = /^(\d{5})(?:\.\d+)?$/;
/** Excel's d-mmm-yy display (`01-Apr-15`), and its four-digit cousin. */
const DASHED = /^(\d{1,2})-([A-Za-z]+)-(\d{2}|\d{4})$/;

/**
 * For a value that is not a date in an accepted form but is what a
 * spreadsheet made of one: the date it would be, and what to do. Never
 * accepted: a serial number is a number the file no longer marks as a date,
 * and `01-Apr-15`'s century is a guess.
 */
export function spreadsheetDateHint(input: string): string | undefined {
  const s = input.trim();
  const serial = EXCEL_SERIAL.exec(s);
  if (serial) {
    const days = Number(serial[1]);
    // From 2008 (the scheme's history begins) to 2099.
    if (days < 39448 || days > 73050) return undefined;
    const iso = new Date(EXCEL_EPOCH + days * 86_400_000).toISOString().slice(0, 10);
    return `it looks like a spreadsheet's date serial number, which would be ${spelt(iso)}: format the column as a date (YYYY-MM-DD) and save the file again`;
  }
  const dashed = DASHED.exec(s);
  if (dashed) {
    const m = MONTHS.get(dashed[2]!.toLowerCase());
    const y = dashed[3]!.length === 2 ? 2000 + Number(dashed[3]) : Number(dashed[3]);
    const d = Number(dashed[1]);
    if (m === undefined || !realDate(y, m, d)) return undefined;
    const iso = asIso(y, m, d);
    return `it looks like Excel's d-mmm-yy date, which would be ${spelt(iso)}: write it as ${iso} (or ${d} ${MONTH_NAMES[m - 1]!.slice(0, 3)} ${y})`;
  }
  return undefined;
}

/** An ISO timestamp with a time zone: `2015-06-30T23:30:00Z`, `…+01:00`, `…-0500`, seconds and their fractions optional. */
const ZONED = /^(\d{4}-\d{2}-\d{2})[T ]([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.\d+)?)? ?(Z|[+-]\d{2}(?::?\d{2})?)$/i;

/**
 * For a timestamp with a time zone: the zone as written and the date it is
 * in London, where the history's dates are kept. Never accepted: which day
 * the contact was on for the person recording it is a choice the file must
 * make, and near midnight the two differ.
 */
export function zonedTimestamp(input: string): { zone: string; londonDate: string } | undefined {
  const zoned = ZONED.exec(input.trim());
  if (!zoned) return undefined;
  const [, date, hours, minutes, seconds] = zoned;
  const zone = zoned[5]!.toUpperCase();
  const offset = zone === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(3).replace(':', '') || '00'}`;
  const instant = new Date(`${date}T${hours}:${minutes}:${seconds ?? '00'}${offset}`);
  if (Number.isNaN(instant.getTime()) || parseDate(date!) === undefined) return undefined;
  return { zone: zone === 'Z' ? 'UTC' : `UTC${offset}`, londonDate: londonDate(instant) };
}

/** Three months before a date (CISR90260's default view), clamped to the end of a shorter month. */
export function threeMonthsBefore(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const month = m - 3 < 1 ? m + 9 : m - 3;
  const year = m - 3 < 1 ? y - 1 : y;
  const last = daysInMonth(year, month);
  return `${year}-${String(month).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

/** From this year on, the UK's summer time has followed one rule (britishSummerTime below). */
const SUMMER_RULE_FROM = 1996;
const HOUR_MS = 60 * 60 * 1000;

/** 01:00 UTC on the last Sunday of a month (`month` counted from 0), in milliseconds. */
function lastSundayAt1Utc(year: number, month: number): number {
  const lastDay = new Date(Date.UTC(year, month + 1, 0));
  return Date.UTC(year, month, lastDay.getUTCDate() - lastDay.getUTCDay(), 1);
}

/**
 * British Summer Time since 1996: UTC+1 from 01:00 UTC on the last Sunday of
 * March to 01:00 UTC on the last Sunday of October, UTC otherwise. Worked out
 * here rather than asked of Intl: a process's first Intl date formatter loads
 * ICU's data, 27 ms of every `record` that takes today's date. The rule is held
 * to Intl's time-zone database (every day's last UTC hour, and around each
 * change) in test/domain/text.test.ts; earlier years ask Intl.
 */
function britishSummerTime(instant: Date): boolean {
  const year = instant.getUTCFullYear();
  const at = instant.getTime();
  return at >= lastSundayAt1Utc(year, 2) && at < lastSundayAt1Utc(year, 9);
}

let londonFormat: Intl.DateTimeFormat | undefined;

/** The calendar date in Europe/London at an instant, `YYYY-MM-DD`. */
export function londonDate(instant: Date): string {
  if (instant.getUTCFullYear() < SUMMER_RULE_FROM) {
    londonFormat ??= new Intl.DateTimeFormat('en-CA', {
      timeZone: 'Europe/London',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    return londonFormat.format(instant);
  }
  const london = new Date(instant.getTime() + (britishSummerTime(instant) ? HOUR_MS : 0));
  return london.toISOString().slice(0, 10);
}
