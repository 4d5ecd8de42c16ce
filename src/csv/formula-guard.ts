/**
 * Cells a spreadsheet would run as a formula (first character `=`, `+`, `-`,
 * `@`, tab or carriage return) are written with one leading `'`, so it shows
 * them instead of running them; so is a cell that already starts with `'`, so
 * that exactly one leading `'` can always be removed again and the round trip
 * is exact. Exports and rejects files are written this way.
 *
 * A spreadsheet starts a cell not only where the file's own cells start. One
 * whose list separator is `;` (most of continental Europe) or a tab splits a
 * comma-separated file there, quotes or not, and a line break inside a value
 * ends its row when the quote that held it together was not where the cell
 * started: `Jo;=2+3` opens as `Jo` and a formula `=2+3`. So the guard is put
 * wherever a cell may start: at the start of the value and after every `;`,
 * tab or line break in it (`Jo;'=2+3`), by the same rule, and taken away the
 * same way. The stored text, and so the hash, never carries it.
 *
 * The guard is read back in every file, not only in a file the tool
 * recognises as its own: a clean-up step (pandas dropping the `reject_`
 * columns, a copy into another file) keeps the guarded cells but loses what
 * told the tool the file was a rejects file, and `'-5 days late` would be
 * stored for good. A `'` followed by anything else (`'tis late`, `'1100102947`)
 * is the text itself, never written by the guard, and stays. Each removal
 * is reported (`guard-removed`), and an import told the file never passed
 * through the tool or a guarding spreadsheet (`--keep-apostrophes`) keeps them.
 */

/** Where a spreadsheet may start a cell, followed by what it would run (or a `'` that must survive the round trip). */
const RUNNABLE_START = /(?<=^|[;\t\r\n])(?=[=+\-@\t\r'])/g;
/** The guard the writer put there: one `'` where a cell may start, before what it protects. */
const GUARD = /(?<=^|[;\t\r\n])'(?=[=+\-@\t\r'])/g;
/** Cheap tests first: most cells hold none of these. */
const MAY_NEED_GUARD = /^[=+\-@\t\r']|[;\t\r\n][=+\-@\t\r']/;
const MAY_HOLD_GUARD = /(?:^|[;\t\r\n])'[=+\-@\t\r']/;

export function neutralise(value: string): string {
  return MAY_NEED_GUARD.test(value) ? value.replace(RUNNABLE_START, "'") : value;
}

export function restore(cell: string): string {
  return MAY_HOLD_GUARD.test(cell) ? cell.replace(GUARD, '') : cell;
}

/**
 * Removes the guard from a row's cells in place (no new array, and a new
 * string only for a guarded cell): the columns it was removed from, or
 * undefined for none, so that each removal can be reported.
 */
export function restoreRow(values: string[]): number[] | undefined {
  let removed: number[] | undefined;
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (!MAY_HOLD_GUARD.test(value)) continue;
    values[i] = value.replace(GUARD, '');
    (removed ??= []).push(i);
  }
  return removed;
}

const NAMED: Record<string, string> = { '\t': 'a tab', '\r': 'a carriage return', "'": "another '" };
/** The first place a spreadsheet could start a cell, and what stands there. */
const FIRST_RUNNABLE = /(?:^|[;\t\r\n])([=+\-@\t\r'])/;

/** What a cell the guard was removed from holds where the guard stood, in words. */
export function guardedStart(cell: string): string {
  const first = FIRST_RUNNABLE.exec(cell)?.[1] ?? cell[0] ?? '';
  return NAMED[first] ?? `"${first}"`;
}

/**
 * csv-stringify's options for every CSV the tool writes: besides `,`, `"` and
 * a line feed (which it quotes anyway), a cell holding `;`, a tab or a
 * carriage return is quoted, so a spreadsheet reading the file with any of
 * the separators it may guess keeps the cell whole.
 */
export const CELL_QUOTING = { quoted_match: /[;\t\r\n]/ } as const;
