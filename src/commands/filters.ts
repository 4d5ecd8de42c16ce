/** Shared parsing of --from, --to and a UTR argument, for history and export. */

import { parseDate } from '../domain/dates.js';
import { inputError, usageError } from '../domain/errors.js';
import { parseUtr } from '../domain/utr.js';

function dateArgument(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const date = parseDate(value);
  if (!date) throw usageError(`${flag} ${value} is not a date: use YYYY-MM-DD, DD/MM/YYYY or 1 Apr 2015 (UK order)`);
  return date;
}

/** Both ends read as dates; a range that ends before it starts is named, since it could only ever answer "none". */
export function dateFilter(flags: { from?: string; to?: string }): { from?: string; to?: string } {
  const from = dateArgument('--from', flags.from);
  const to = dateArgument('--to', flags.to);
  if (from !== undefined && to !== undefined && from > to) {
    throw usageError(
      `--from ${flags.from} (${from}) is after --to ${flags.to} (${to}): the range is reversed, so no date is in it`,
      `swap them: --from ${to} --to ${from}`,
    );
  }
  return { from, to };
}

export function utrArgument(value: string): string {
  const utr = parseUtr(value);
  if (!utr.ok) throw inputError(utr.code, { field: 'UTR', value });
  return utr.utr;
}

export function utrFilter(value: string | undefined): { utr?: string } {
  return value === undefined ? {} : { utr: utrArgument(value) };
}
