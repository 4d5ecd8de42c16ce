/**
 * Cells a spreadsheet would run as a formula (first character `=`, `+`, `-`,
 * `@`, tab or carriage return) are written with one leading `'`, so it shows
 * them instead of running them; so is a cell that already starts with `'`, so
 * that exactly one leading `'` can always be removed again and the round trip
 * is exact. Exports and rejects files are written this way.
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

const RUNNABLE = /^[=+\-@\t\r']/;

export function neutralise(value: string): string {
  return RUNNABLE.test(value) ? `'${value}` : value;
}

const APOSTROPHE = 0x27;

/** True for a cell the guard wrote: `'` then `=`, `+`, `-`, `@`, tab, CR or another `'`. */
function guarded(cell: string): boolean {
  if (cell.charCodeAt(0) !== APOSTROPHE) return false;
  const next = cell.charCodeAt(1);
  // = + - @ tab CR '
  return next === 0x3d || next === 0x2b || next === 0x2d || next === 0x40 || next === 0x09 || next === 0x0d || next === APOSTROPHE;
}

export function restore(cell: string): string {
  return guarded(cell) ? cell.slice(1) : cell;
}

/**
 * Removes the guard from a row's cells in place (no new array, and a new
 * string only for a guarded cell): the columns it was removed from, or
 * undefined for none, so that each removal can be reported.
 */
export function restoreRow(values: string[]): number[] | undefined {
  let removed: number[] | undefined;
  for (let i = 0; i < values.length; i++) {
    if (!guarded(values[i]!)) continue;
    values[i] = values[i]!.slice(1);
    (removed ??= []).push(i);
  }
  return removed;
}

const NAMED: Record<string, string> = { '\t': 'a tab', '\r': 'a carriage return', "'": "another '" };

/** What a cell the guard was removed from now starts with, in words. */
export function guardedStart(cell: string): string {
  const first = cell[0]!;
  return NAMED[first] ?? `"${first}"`;
}
