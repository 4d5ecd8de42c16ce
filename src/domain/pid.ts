/**
 * Operator PIDs as spreadsheets write them: spaces inside (` 123 4567 `),
 * Excel's leading `'` (a number kept as text) and a trailing `.0` (a number
 * cell) are removed first. A shorter value is never
 * padded: a spreadsheet may have dropped leading zeros, but whether that is
 * what is missing cannot be known, and a wrong PID would be stored for good.
 */

import type { IssueCode } from './catalogue.js';
import { PID_FORMAT } from './vocabulary.js';

export type PidResult =
  | { ok: true; pid: string }
  | { ok: false; code: Extract<IssueCode, 'operator-missing'> }
  | { ok: false; code: Extract<IssueCode, 'operator-format'>; value: string; detail?: string };

export function normalisePid(input: string): string {
  if (PID_FORMAT.test(input)) return input;
  return input
    .replace(/\s+/g, '')
    .replace(/^'/, '')
    .replace(/^(\d+)\.0+$/, '$1');
}

export function parsePid(input: string | undefined): PidResult {
  const trimmed = (input ?? '').trim();
  if (trimmed === '') return { ok: false, code: 'operator-missing' };
  const pid = normalisePid(trimmed);
  if (PID_FORMAT.test(pid)) return { ok: true, pid };
  if (/^\d{1,6}$/.test(pid)) {
    const missing = 7 - pid.length;
    const zeros = missing === 1 ? 'a leading zero' : `${missing} leading zeros`;
    return {
      ok: false,
      code: 'operator-format',
      value: trimmed,
      detail: `it has ${pid.length} digit${pid.length === 1 ? '' : 's'}: a spreadsheet may have dropped ${zeros}; give all 7 digits, with the column formatted as text`,
    };
  }
  return { ok: false, code: 'operator-format', value: trimmed };
}
