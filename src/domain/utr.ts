/** Unique Taxpayer Reference normalisation and modulus-11 check. */

import type { IssueCode } from './catalogue.js';

export type UtrResult =
  | { ok: true; utr: string }
  | {
      ok: false;
      code: Extract<IssueCode, 'utr-missing' | 'utr-format' | 'utr-check-digit'>;
      normalised: string;
      detail?: string;
    };

/** `8.10433E+09`: what a spreadsheet shows of a UTR it took for a number. */
const SCIENTIFIC = /^\d(?:\.\d+)?E\+?\d+$/i;

const WEIGHTS = [6, 7, 8, 9, 10, 5, 4, 3, 2];
/** A UTR as stored: exactly 10 digits. */
export const UTR_FORMAT = /^\d{10}$/;
const CHECK_CHARACTERS = '21987654321';

/**
 * Removes spaces and one K prefix or suffix; keeps the right-most 10 of 13
 * digits. What spreadsheets and pandas add to a number kept as text goes
 * too, as for a PID: Excel's leading `'` (text, not a number) and pandas'
 * trailing `.0` (a column of numbers with a blank cell is written as floats).
 */
export function normaliseUtr(input: string): string {
  if (UTR_FORMAT.test(input)) return input;
  let s = input
    .replace(/\s+/g, '')
    .replace(/^'/, '')
    .replace(/^(\d+)\.0+$/, '$1');
  if (/^[Kk]/.test(s)) s = s.slice(1);
  else if (/[Kk]$/.test(s)) s = s.slice(0, -1);
  if (/^\d{13}$/.test(s)) s = s.slice(3);
  return s;
}

/** The check character the first digit must equal, for ten digits. */
export function utrCheckCharacter(tenDigits: string): string {
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (tenDigits.charCodeAt(i + 1) - 48) * WEIGHTS[i]!;
  return CHECK_CHARACTERS[sum % 11]!;
}

export function parseUtr(input: string | undefined): UtrResult {
  const trimmed = (input ?? '').trim();
  if (trimmed === '') return { ok: false, code: 'utr-missing', normalised: '' };
  const s = normaliseUtr(trimmed);
  if (!UTR_FORMAT.test(s)) {
    if (SCIENTIFIC.test(s)) {
      return {
        ok: false,
        code: 'utr-format',
        normalised: s,
        detail:
          'a spreadsheet turned it into a number and dropped digits: format the column as text and export it again',
      };
    }
    if (/^\d{9}$/.test(s)) {
      return {
        ok: false,
        code: 'utr-format',
        normalised: s,
        detail:
          'it has 9 digits: a spreadsheet may have dropped a leading zero; give all 10 digits, with the column formatted as text',
      };
    }
    return { ok: false, code: 'utr-format', normalised: s };
  }
  if (s[0] !== utrCheckCharacter(s)) return { ok: false, code: 'utr-check-digit', normalised: s };
  return { ok: true, utr: s };
}
