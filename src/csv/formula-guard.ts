/**
 * Cells a spreadsheet would run as a formula (first character `=`, `+`, `-`,
 * `@`, tab or carriage return) are written with one leading `'`, so it shows
 * them instead of running them; so is a cell that already starts with `'`, so
 * that exactly one leading `'` can always be removed again and the round trip
 * is exact. Exports and rejects files are written this way, and read back so.
 */

const RUNNABLE = /^[=+\-@\t\r']/;

export function neutralise(value: string): string {
  return RUNNABLE.test(value) ? `'${value}` : value;
}

export function restore(cell: string): string {
  return cell.startsWith("'") ? cell.slice(1) : cell;
}
