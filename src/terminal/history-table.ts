/**
 * One record's history for people, newest first. On a terminal, a table with
 * actions and notes wrapped to its width; anywhere else (`> file`, a pipe),
 * each enquiry on one line, nothing wrapped, so `grep` finds a whole note
 * and a line is an enquiry (as psql and git print when not on a terminal).
 */

import type { ChainedEntry } from '../domain/layout.js';
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

const COLUMNS = [
  { title: 'Date', width: 10 },
  { title: 'Dir', width: 8 },
  { title: 'Channel', width: 16 },
  { title: 'Subject', width: 17 },
  { title: 'Action taken', width: 28 },
  { title: 'PID', width: 7 },
] as const;

/** A note on one line: its line breaks shown as `\n`, as every control character is escaped. */
const oneLine = screenText;

export function historyTable(ui: Ui, contacts: readonly ChainedEntry[], showUtr: boolean): void {
  const c = ui.colour;
  const wrapped = ui.resultOnTerminal;
  // Unwrapped, the action column is as wide as its longest action (at most 100 characters).
  const actionWidth = wrapped ? COLUMNS[4].width
    : Math.max(COLUMNS[4].width, ...contacts.flatMap((contact) => contact.enquiries.map((e) => oneLine(e.actionTaken ?? '').length)));
  const fixed = COLUMNS.reduce((n, col) => n + col.width + 2, 0) + (showUtr ? 12 : 0);
  const notesWidth = Math.max(24, ui.columns - fixed);
  const header = [...(showUtr ? ['UTR'.padEnd(10)] : []), ...COLUMNS.map((col, i) => col.title.padEnd(i === 4 ? actionWidth : col.width)), 'Notes'];
  ui.say(c.bold(header.join('  ')));
  for (const contact of contacts) {
    for (const e of contact.enquiries) {
      // Escaped before padding, so that a stored control character takes the width it is shown in.
      const action = wrapped ? wrap(e.actionTaken ?? '', actionWidth) : [oneLine(e.actionTaken ?? '')];
      const notes = wrapped ? wrap(e.generalNotes ?? '', notesWidth) : [oneLine(e.generalNotes ?? '')];
      const height = Math.max(action.length, notes.length);
      for (let i = 0; i < height; i++) {
        const first = i === 0;
        const cells = [
          ...(showUtr ? [(first ? contact.utr : '').padEnd(10)] : []),
          (first ? contact.enquiryDate : '').padEnd(10),
          (first ? contact.direction : '').padEnd(8),
          (first ? contact.channel : '').padEnd(16),
          (first ? e.subject : '').padEnd(17),
          (action[i] ?? '').padEnd(actionWidth),
          (first ? contact.operatorPid : '').padEnd(7),
          notes[i] ?? '',
        ];
        ui.say(cells.join('  ').trimEnd());
      }
    }
  }
}
