/** One record's history for people: a table, newest first, notes wrapped to the terminal. */

import type { StoredContact } from '../storage/history-reader.js';
import type { Ui } from './ui.js';

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
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

export function historyTable(ui: Ui, contacts: readonly StoredContact[], showUtr: boolean): void {
  const c = ui.colour;
  const total = ui.columns;
  const fixed = COLUMNS.reduce((n, col) => n + col.width + 2, 0) + (showUtr ? 12 : 0);
  const notesWidth = Math.max(24, total - fixed);
  const header = [...(showUtr ? ['UTR'.padEnd(10)] : []), ...COLUMNS.map((col) => col.title.padEnd(col.width)), 'Notes'];
  ui.say(c.bold(header.join('  ')));
  for (const contact of contacts) {
    for (const e of contact.enquiries) {
      const action = wrap(e.actionTaken ?? '', COLUMNS[4].width);
      const notes = wrap(e.generalNotes ?? '', notesWidth);
      const height = Math.max(action.length, notes.length);
      for (let i = 0; i < height; i++) {
        const first = i === 0;
        const cells = [
          ...(showUtr ? [(first ? contact.utr : '').padEnd(10)] : []),
          (first ? contact.enquiryDate : '').padEnd(10),
          (first ? contact.direction : '').padEnd(8),
          (first ? contact.channel : '').padEnd(16),
          (first ? e.subject : '').padEnd(17),
          (action[i] ?? '').padEnd(28),
          (first ? contact.operatorPid : '').padEnd(7),
          notes[i] ?? '',
        ];
        ui.say(cells.join('  ').trimEnd());
      }
    }
  }
}
