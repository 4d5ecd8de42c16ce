/** Enquiry dates: `YYYY-MM-DD` or UK `DD/MM/YYYY`, real calendar dates only. */

const ISO = /^(\d{4})-(\d{2})-(\d{2})$/;
const UK = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!;
}

function realDate(y: number, m: number, d: number): boolean {
  return y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

/** The date as `YYYY-MM-DD`, or undefined when it is not a real date in either form. */
export function parseDate(input: string): string | undefined {
  const s = input.trim();
  const iso = ISO.exec(s);
  if (iso) return realDate(Number(iso[1]), Number(iso[2]), Number(iso[3])) ? s : undefined;
  const uk = UK.exec(s);
  if (!uk) return undefined;
  const [y, m, d] = [Number(uk[3]), Number(uk[2]), Number(uk[1])];
  if (!realDate(y, m, d)) return undefined;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Three months before a date (CISR90260's default view), clamped to the end of a shorter month. */
export function threeMonthsBefore(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const month = m - 3 < 1 ? m + 9 : m - 3;
  const year = m - 3 < 1 ? y - 1 : y;
  const last = daysInMonth(year, month);
  return `${year}-${String(month).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

const LONDON = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The calendar date in Europe/London at an instant, `YYYY-MM-DD`. */
export function londonDate(instant: Date): string {
  return LONDON.format(instant);
}
