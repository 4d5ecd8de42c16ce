/**
 * One record's history for people, newest first.
 *
 * On a terminal, one block a contact: when it was made and recorded, the
 * channel, who was spoken to, the operator and the login that wrote it, its
 * seq, the partnership it came through, and its enquiries under it. Every
 * line is wrapped to the terminal's width, so nothing is ever wider.
 *
 * Anywhere else (`> file`, a pipe), one enquiry a line with its contact's
 * fields, nothing wrapped, so `grep` finds a whole note and a line is an
 * enquiry (as psql and git print when not on a terminal). There a backslash
 * in stored text is shown doubled, so a note's real line break (`\n`) and
 * the two characters `\` `n` typed into it never look the same.
 *
 * The fields shown, and where, are the layout's (each field's `history`):
 * its column here, its line and place on it there, and how its value reads.
 * A field with no place of its own is shown by its column name (but for
 * the tool's bookkeeping and the chain's values, which export and verify
 * show), so a new field is never silently left out.
 */

import {
  type ChainedEntry,
  type ChainEnquiry,
  FORMS,
  type HistoryBlockLine,
  type HistoryTableColumn,
  type LayoutForms,
  type StoredField,
  fieldValue,
} from '../domain/layout.js';
import { screenText } from '../domain/screen-text.js';
import type { Piece, Ui } from './ui.js';

/** Where the history needs a record's name: the partnerships contacts came through. */
export interface HistoryNames {
  /** A partnership's name by its UTR. */
  readonly partnerships: ReadonlyMap<string, string>;
}

/** Fields of the layout with no place of their own in history: shown by their column name. */
const unplaced = (ofEnquiry: boolean): StoredField[] =>
  FORMS.historyColumns.filter((c) => c.ofEnquiry === ofEnquiry && !c.field.history).map((c) => c.field);
export const CONTACT_EXTRAS: readonly StoredField[] = unplaced(false);
export const ENQUIRY_EXTRAS: readonly StoredField[] = unplaced(true);

// A stored field's value is a string, a number or a boolean (a layout field is never an object).
const valueText = (v: unknown): string =>
  v === null || v === undefined
    ? ''
    : typeof v === 'string'
      ? v
      : typeof v === 'number' || typeof v === 'boolean'
        ? String(v)
        : JSON.stringify(v);

const LONDON = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'short',
});

/** When an entry was recorded, in UK time with its zone named (GMT or BST): `2026-03-29 14:05:09 BST`. */
export function recordedTime(recordedAt: string): string {
  const at = new Date(recordedAt);
  if (Number.isNaN(at.getTime())) return recordedAt;
  const part = Object.fromEntries(LONDON.formatToParts(at).map((p) => [p.type, p.value]));
  return `${part.year}-${part.month}-${part.day} ${part.hour}:${part.minute}:${part.second} ${part.timeZoneName}`;
}

/** A key the tool made (no ref was given) says nothing to a reader: only a ref someone gave is shown. */
const givenRef = (sourceKey: string) => (/^(sha256|uuid):/.test(sourceKey) ? '' : sourceKey);

function partnershipText(utr: string, names: HistoryNames): string {
  if (!utr) return '';
  const name = names.partnerships.get(utr);
  return name ? `${name} (${utr})` : utr;
}

/** A field's value as history shows it (a contact's field from the contact, an enquiry's from the enquiry): empty where it has none. */
function shownValue(column: HistoryTableColumn, from: object, names: HistoryNames): string {
  const value = valueText(fieldValue(from, column.field));
  switch (column.shown) {
    case 'uk-time':
      return value && recordedTime(value);
    case 'given-ref':
      return givenRef(value);
    case 'partnership':
      return partnershipText(value, names);
    case undefined:
      return value;
  }
}

/** `%` in a field's text or label, as its value. */
const filled = (form: string, value: string) => form.replace('%', () => value);

// ---------------------------------------------------------------- terminal

/**
 * The columns a character takes on a terminal: East Asian wide and
 * full-width characters two, combining marks none, others one (the rule
 * terminals follow; text is escaped first, so no control reaches here).
 */
const WIDE =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1f300}-\u{1f64f}\u{1f900}-\u{1f9ff}\u{20000}-\u{3fffd}]/u;
const ZERO = /\p{M}/u;

function charWidth(ch: string): number {
  if (ZERO.test(ch)) return 0;
  return WIDE.test(ch) ? 2 : 1;
}

export function displayWidth(text: string): number {
  let n = 0;
  for (const ch of text) n += charWidth(ch);
  return n;
}

/** The longest start of `word` that fits in `width` columns (at least one character, so wrapping always moves on). */
function fittingStart(word: string, width: number): string {
  let taken = '';
  let used = 0;
  for (const ch of word) {
    const w = charWidth(ch);
    if (taken && used + w > width) break;
    taken += ch;
    used += w;
  }
  return taken;
}

/**
 * Screen-safe text wrapped at spaces to `width` columns; a word longer than a
 * line is cut. Each stored line break starts a new line.
 */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  // A tab's width is the terminal's to choose: shown as `\t`, as a control is.
  for (const paragraph of text.split('\n').map((p) => screenText(p.replace(/\t/g, '\\t')))) {
    let line = '';
    for (let word of paragraph.split(/ +/)) {
      if (line && displayWidth(line) + 1 + displayWidth(word) > width) {
        lines.push(line);
        line = '';
      }
      if (line) {
        line = `${line} ${word}`;
        continue;
      }
      while (displayWidth(word) > width) {
        const start = fittingStart(word, width);
        lines.push(start);
        word = word.slice(start.length);
      }
      line = word;
    }
    lines.push(line);
  }
  return lines;
}

/** A label and its text, the text's later lines under its first; each line painted, if a paint is given. */
function labelled(
  ui: Ui,
  indent: number,
  label: string,
  text: string,
  width: number,
  paint: (line: string) => Piece = (line) => line,
): void {
  const lead = ' '.repeat(indent) + label;
  const room = Math.max(1, width - displayWidth(lead));
  if (displayWidth(lead) >= width) {
    // A terminal too narrow for the label: the label on its own lines, the text under it.
    for (const line of wrapText(lead.trimStart(), width)) ui.say(paint(line));
    for (const line of wrapText(text, width)) ui.say(paint(line));
    return;
  }
  wrapText(text, room).forEach((line, i) => ui.say(paint((i === 0 ? lead : ' '.repeat(displayWidth(lead))) + line)));
}

/** Lines of the result, each wrapped to the terminal's width. */
export function sayWrapped(ui: Ui, text: string, indent = 0): void {
  labelled(ui, indent, '', text, ui.columns);
}

/** A line of a block: its label (its labelling field's value in it) and its fields' text, each after the text before it. */
function lineOf(line: HistoryBlockLine, from: object, names: HistoryNames, showUtr: boolean) {
  let text = '';
  for (const column of line.fields) {
    if (column.ofSeveral && !showUtr) continue;
    const value = shownValue(column, from, names);
    if (!value) continue;
    const piece = filled(column.block.text ?? '%', value);
    text = text ? `${text}${column.block.after ?? ' '}${piece}` : piece;
  }
  const label = line.labelledBy ? filled(line.label, shownValue(line.labelledBy, from, names)) : line.label;
  return { label, text };
}

/**
 * A contact's block: its heading in bold, its other lines under it, then
 * each enquiry, its first line labelled (by its number), its others under
 * that label. A line with no text is not shown.
 */
function contactBlock(ui: Ui, contact: ChainedEntry, names: HistoryNames, showUtr: boolean, forms: LayoutForms): void {
  const width = ui.columns;
  forms.historyLines.contact.forEach((line, i) => {
    const { label, text } = lineOf(line, contact, names, showUtr);
    if (!text) return;
    if (i === 0) labelled(ui, 0, label, text, width, ui.colour.bold);
    else labelled(ui, 2, label, text, width);
  });
  for (const enquiry of contact.enquiries) {
    let under = 2;
    forms.historyLines.enquiry.forEach((line, i) => {
      const { label, text } = lineOf(line, enquiry, names, showUtr);
      if (i === 0) under = 2 + displayWidth(label);
      if (text) labelled(ui, i === 0 ? 2 : under, label, text, width);
    });
  }
}

// ---------------------------------------------------------------- file or pipe

/**
 * Stored text on one line, unambiguous: a backslash doubled, a tab as `\t`,
 * then every line break and control escaped as on a screen (`\n`, `\x1b`) —
 * the escapes PostgreSQL's COPY text uses, so `\n` is always a line break
 * and `\\n` the two characters typed.
 */
export function oneLine(text: string): string {
  return screenText(text.replace(/\\/g, '\\\\').replace(/\t/g, '\\t'));
}

/** One line an enquiry, every column as wide as its widest value, the notes last and whole. */
function enquiryLines(
  ui: Ui,
  contacts: readonly ChainedEntry[],
  names: HistoryNames,
  showUtr: boolean,
  forms: LayoutForms,
): void {
  const columns = forms.historyColumns.filter((c) => showUtr || !c.ofSeveral);
  const value = (col: HistoryTableColumn, c: ChainedEntry, e: ChainEnquiry) =>
    oneLine(shownValue(col, col.ofEnquiry ? e : c, names));
  const table = contacts.flatMap((c) => c.enquiries.map((e) => columns.map((col) => value(col, c, e))));
  const widths = columns.map((col, i) =>
    Math.max(displayWidth(col.title), ...table.map((row) => displayWidth(row[i]!))),
  );
  const pad = (text: string, i: number) =>
    i === columns.length - 1 ? text : text + ' '.repeat(widths[i]! - displayWidth(text));
  ui.say(
    ui.colour.bold(
      columns
        .map((col, i) => pad(col.title, i))
        .join('  ')
        .trimEnd(),
    ),
  );
  for (const row of table) ui.say(row.map(pad).join('  ').trimEnd());
}

/** The history of a record (`showUtr`: of several, a partnership's), as the layout `forms` place its fields. */
export function historyTable(
  ui: Ui,
  contacts: readonly ChainedEntry[],
  names: HistoryNames,
  showUtr: boolean,
  forms: LayoutForms = FORMS,
): void {
  if (!ui.resultOnTerminal) {
    enquiryLines(ui, contacts, names, showUtr, forms);
    return;
  }
  contacts.forEach((contact, i) => {
    if (i > 0) ui.say('');
    contactBlock(ui, contact, names, showUtr, forms);
  });
}
