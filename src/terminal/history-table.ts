/**
 * One record's history for people, newest first. On a terminal, a table with
 * actions and notes wrapped to its width; anywhere else (`> file`, a pipe),
 * each enquiry on one line, nothing wrapped, so `grep` finds a whole note
 * and a line is an enquiry (as psql and git print when not on a terminal).
 */

import { type ChainedEntry, FORMS, type HistoryTableColumn } from '../domain/layout.js';
import { screenText } from '../domain/screen-text.js';
import type { Ui } from './ui.js';

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n').map(screenText)) {
    let line = '';
    for (const word of paragraph.split(/\s+/)) {
      if (line && line.length + 1 + word.length > width) {
        lines.push(line);
        line = '';
      }
      line = line ? `${line} ${word}` : word;
      while (line.length > width) {
        lines.push(line.slice(0, width));
        line = line.slice(width);
      }
    }
    lines.push(line);
  }
  return lines;
}

/** A note on one line: its line breaks shown as `\n`, as every control character is escaped. */
const oneLine = screenText;

type Values = Readonly<Record<string, unknown>>;

/** A column's value in one enquiry's line: the contact's field, or the enquiry's. */
const valueIn = (column: HistoryTableColumn, contact: ChainedEntry, enquiry: object): unknown => (column.ofEnquiry ? (enquiry as Values) : (contact as Values))[column.field.key];

const asText = (value: unknown): string => (value === null || value === undefined ? '' : String(value));

/**
 * The columns are the layout's (`history` of each field), left to right; the
 * last takes the width left. Free text is wrapped to its column on a
 * terminal, and elsewhere on one line, its column as wide as its longest value.
 */
export function historyTable(ui: Ui, contacts: readonly ChainedEntry[], showUtr: boolean, layoutColumns: readonly HistoryTableColumn[] = FORMS.historyColumns): void {
  const c = ui.colour;
  const wrapped = ui.resultOnTerminal;
  const columns = layoutColumns.filter((col) => showUtr || !col.ofSeveral);
  const last = columns.at(-1);
  const lines = contacts.flatMap((contact) => contact.enquiries.map((enquiry) => ({ contact, enquiry })));
  const declared = (col: HistoryTableColumn) => col.width ?? 0;
  const widths = columns.map((col) => (col === last ? 0 : col.freeText && !wrapped
    ? Math.max(declared(col), ...lines.map((l) => oneLine(asText(valueIn(col, l.contact, l.enquiry))).length))
    : declared(col)));
  const fixed = columns.reduce((n, col) => (col === last ? n : n + declared(col) + 2), 0);
  const lastWidth = Math.max(24, ui.columns - fixed);
  ui.say(c.bold(columns.map((col, i) => (col === last ? col.title : col.title.padEnd(widths[i]!))).join('  ')));
  for (const { contact, enquiry } of lines) {
    // Escaped before padding, so that a stored control character takes the width it is shown in.
    const cells = columns.map((col, i) => {
      const value = asText(valueIn(col, contact, enquiry));
      if (!col.freeText) return [value];
      return wrapped ? wrap(value, col === last ? lastWidth : widths[i]!) : [oneLine(value)];
    });
    const height = Math.max(...cells.map((cell) => cell.length));
    for (let line = 0; line < height; line++) {
      ui.say(cells.map((cell, i) => (columns[i] === last ? (cell[line] ?? '') : (cell[line] ?? '').padEnd(widths[i]!))).join('  ').trimEnd());
    }
  }
}
