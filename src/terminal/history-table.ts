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
 * The fields shown are the layout's: those placed below are shown where they
 * belong, and any other field the operator gives (a field added later) is
 * shown by its column name, so a new field is never silently left out.
 */

import {
  CONTACT_FIELDS,
  type ChainedEntry,
  type ChainEnquiry,
  ENQUIRY_FIELDS,
  type StoredField,
  fieldValue,
} from '../domain/layout.js';
import { screenText } from '../domain/screen-text.js';
import type { Ui } from './ui.js';

/** Where the history needs a record's name: the partnerships contacts came through. */
export interface HistoryNames {
  /** A partnership's name by its UTR. */
  readonly partnerships: ReadonlyMap<string, string>;
}

type ContactKey = keyof ChainedEntry;
type EnquiryKey = keyof ChainEnquiry;

/** The contact's fields history places itself, and those it leaves to export and verify (the chain's own values, the import run). */
const CONTACT_PLACED: readonly ContactKey[] = [
  'seq',
  'sourceKey',
  'utr',
  'partnershipUtr',
  'contactType',
  'contactName',
  'channel',
  'direction',
  'authentication',
  'enquiryDate',
  'operatorPid',
  'recordedAt',
  'recordedBy',
  'enquiries',
];
const CONTACT_LEFT_OUT: readonly ContactKey[] = ['importRunId', 'prevHash', 'hash'];
const ENQUIRY_PLACED: readonly EnquiryKey[] = ['position', 'subject', 'actionTaken', 'generalNotes'];

const isShownApart = (placed: readonly string[], leftOut: readonly string[]) => (f: StoredField) =>
  f.exported && !placed.includes(f.key) && !leftOut.includes(f.key) && f.key !== 'contentHash';

/** Fields of the layout history does not place: shown by their column name. */
export const CONTACT_EXTRAS: readonly StoredField[] = CONTACT_FIELDS.filter(
  isShownApart(CONTACT_PLACED, CONTACT_LEFT_OUT),
);
export const ENQUIRY_EXTRAS: readonly StoredField[] = ENQUIRY_FIELDS.filter(isShownApart(ENQUIRY_PLACED, []));

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

function partnershipText(contact: ChainedEntry, names: HistoryNames): string {
  if (!contact.partnershipUtr) return '';
  const name = names.partnerships.get(contact.partnershipUtr);
  return name ? `${name} (${contact.partnershipUtr})` : contact.partnershipUtr;
}

function spokenTo(contact: ChainedEntry): string {
  const who = [contact.contactName, contact.contactType ? `(${contact.contactType})` : null].filter(Boolean).join(' ');
  return [who, contact.authentication].filter(Boolean).join(', ');
}

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

/** A label and its text, the text's later lines under its first. */
function labelled(ui: Ui, indent: number, label: string, text: string, width: number): void {
  const lead = ' '.repeat(indent) + label;
  const room = Math.max(1, width - displayWidth(lead));
  if (displayWidth(lead) >= width) {
    // A terminal too narrow for the label: the label on its own lines, the text under it.
    for (const line of wrapText(lead.trimStart(), width)) ui.say(line);
    for (const line of wrapText(text, width)) ui.say(line);
    return;
  }
  wrapText(text, room).forEach((line, i) => ui.say((i === 0 ? lead : ' '.repeat(displayWidth(lead))) + line));
}

/** Lines of the result, each wrapped to the terminal's width. */
export function sayWrapped(ui: Ui, text: string, indent = 0): void {
  labelled(ui, indent, '', text, ui.columns);
}

function contactBlock(ui: Ui, contact: ChainedEntry, names: HistoryNames, showUtr: boolean): void {
  const width = ui.columns;
  const heading = [
    `Contact ${contact.seq}`,
    contact.enquiryDate,
    [contact.channel, contact.direction].join(', '),
    showUtr ? `on ${contact.utr}` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  for (const line of wrapText(heading, width)) ui.say(ui.colour.bold(line));
  const spoken = spokenTo(contact);
  if (spoken) labelled(ui, 2, 'Spoken to: ', spoken, width);
  const writer = contact.recordedBy ? ` (login ${contact.recordedBy})` : '';
  labelled(
    ui,
    2,
    'Recorded: ',
    `${recordedTime(contact.recordedAt)} by operator ${contact.operatorPid}${writer}`,
    width,
  );
  const partnership = partnershipText(contact, names);
  if (partnership) labelled(ui, 2, 'Via partnership ', partnership, width);
  const ref = givenRef(contact.sourceKey);
  if (ref) labelled(ui, 2, 'Ref: ', ref, width);
  for (const field of CONTACT_EXTRAS) {
    const value = valueText(fieldValue(contact, field));
    if (value) labelled(ui, 2, `${field.column}: `, value, width);
  }
  for (const e of contact.enquiries) {
    const number = `${e.position}. `;
    labelled(ui, 2, number, e.subject, width);
    const under = 2 + number.length;
    if (e.actionTaken) labelled(ui, under, 'Action: ', e.actionTaken, width);
    if (e.generalNotes) labelled(ui, under, 'Notes: ', e.generalNotes, width);
    for (const field of ENQUIRY_EXTRAS) {
      const value = valueText(fieldValue(e, field));
      if (value) labelled(ui, under, `${field.column}: `, value, width);
    }
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

interface PipeColumn {
  title: string;
  value: (contact: ChainedEntry, enquiry: ChainEnquiry) => string;
}

function pipeColumns(names: HistoryNames, showUtr: boolean): PipeColumn[] {
  return [
    ...(showUtr ? [{ title: 'UTR', value: (c: ChainedEntry) => c.utr }] : []),
    { title: 'Date', value: (c) => c.enquiryDate },
    { title: 'Recorded', value: (c) => recordedTime(c.recordedAt) },
    { title: 'Contact', value: (c) => String(c.seq) },
    { title: 'Channel', value: (c) => c.channel },
    { title: 'Dir', value: (c) => c.direction },
    { title: 'Type', value: (c) => c.contactType ?? '' },
    { title: 'Name', value: (c) => c.contactName ?? '' },
    { title: 'Auth', value: (c) => c.authentication ?? '' },
    { title: 'PID', value: (c) => c.operatorPid },
    { title: 'Login', value: (c) => c.recordedBy ?? '' },
    { title: 'Via partnership', value: (c) => partnershipText(c, names) },
    { title: 'Ref', value: (c) => givenRef(c.sourceKey) },
    ...CONTACT_EXTRAS.map((f) => ({ title: f.column, value: (c: ChainedEntry) => valueText(fieldValue(c, f)) })),
    { title: 'No', value: (_c, e) => String(e.position) },
    { title: 'Subject', value: (_c, e) => e.subject },
    { title: 'Action taken', value: (_c, e) => e.actionTaken ?? '' },
    ...ENQUIRY_EXTRAS.map((f) => ({
      title: f.column,
      value: (_c: ChainedEntry, e: ChainEnquiry) => valueText(fieldValue(e, f)),
    })),
    { title: 'Notes', value: (_c, e) => e.generalNotes ?? '' },
  ];
}

/** One line an enquiry, every column as wide as its widest value, the notes last and whole. */
function enquiryLines(ui: Ui, contacts: readonly ChainedEntry[], names: HistoryNames, showUtr: boolean): void {
  const columns = pipeColumns(names, showUtr);
  const table = contacts.flatMap((c) => c.enquiries.map((e) => columns.map((col) => oneLine(col.value(c, e)))));
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

export function historyTable(ui: Ui, contacts: readonly ChainedEntry[], names: HistoryNames, showUtr: boolean): void {
  if (!ui.resultOnTerminal) {
    enquiryLines(ui, contacts, names, showUtr);
    return;
  }
  contacts.forEach((contact, i) => {
    if (i > 0) ui.say('');
    contactBlock(ui, contact, names, showUtr);
  });
}
