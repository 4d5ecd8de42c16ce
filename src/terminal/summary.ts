/**
 * A readable summary of an import that adds up: every row read is accepted,
 * a duplicate or rejected; empty rows are counted apart; every contact
 * written is an accepted contact or a partner's copy of a partnership
 * contact; and counts by code are labelled as what they are (a row may carry
 * several reasons, so they may add up to more than the rows rejected).
 */

import { type CodeCounts, type IssueCode, catalogueOrder } from '../domain/catalogue.js';
import type { ContactImportSummary, ReferenceImportSummary } from '../domain/outcomes.js';
import type { Piece, Ui } from './ui.js';

/** A label, its count, and how it is made up (if it is). */
export type Count = [label: string, n: number, note?: string];

export function summaryTable(
  ui: Ui,
  title: string,
  counts: Count[],
  rejectsByCode: CodeCounts,
  warningsByCode: CodeCounts,
  rejectsFile: string | null,
): void {
  const c = ui.colour;
  ui.say(c.bold(title));
  const width = Math.max(...counts.map(([label]) => label.length));
  for (const [label, n, note] of counts)
    ui.say(`  ${label.padEnd(width)}  ${String(n).padStart(9)}`, c.dim(note ? `  ${note}` : ''));
  const section = (heading: string, byCode: CodeCounts, paint: (s: string) => Piece) => {
    const codes = (Object.keys(byCode) as IssueCode[]).sort(catalogueOrder);
    if (codes.length === 0) return;
    ui.say(heading);
    const w = Math.max(...codes.map((code) => code.length));
    for (const code of codes) ui.say('  ', paint(code.padEnd(w)), `  ${String(byCode[code]).padStart(9)}`);
  };
  section('Reasons for rejecting, with the rows that carry each (a row may carry several):', rejectsByCode, c.red);
  section('Warnings, with the rows that carry each:', warningsByCode, c.yellow);
  if (rejectsFile) ui.say(`Rejected rows, with their lines and reasons: ${rejectsFile}`);
}

const emptyRows = (n: number): Count[] =>
  n > 0 ? [['empty rows skipped', n, 'rows whose cells are all empty; not in rows read']] : [];

export function contactImportCounts(s: ContactImportSummary): Count[] {
  const would = s.dryRun ? ' to write' : ' written';
  return [
    [
      'rows read',
      s.rowsRead,
      `= ${s.rowsAccepted} accepted + ${s.rowsDuplicate} duplicate + ${s.rowsSuperseded > 0 ? `${s.rowsSuperseded} superseded + ` : ''}${s.rowsRejected} rejected`,
    ],
    ['  accepted', s.rowsAccepted],
    ['  duplicate', s.rowsDuplicate, s.rowsDuplicate > 0 ? 'already stored: nothing added' : undefined],
    ...(s.rowsSuperseded > 0
      ? [
          [
            '  superseded',
            s.rowsSuperseded,
            'refused, but their contact_ref is stored with other content, which stands: nothing to fix',
          ] as Count,
        ]
      : []),
    ['  rejected', s.rowsRejected],
    ...emptyRows(s.rowsEmpty),
    [
      `contacts${would}`,
      s.contactsWritten,
      s.partnerExpansions > 0
        ? `= ${s.contactsAccepted} accepted contacts + ${s.partnerExpansions} more from partnership rows, recorded on each partner`
        : `one for each accepted contact (rows of one contact_ref are one contact)`,
    ],
    [`enquiries${would}`, s.enquiriesWritten, 'one for each accepted row, on each record its contact is stored on'],
  ];
}

export function referenceImportCounts(r: ReferenceImportSummary): Count[] {
  return [
    ['rows read', r.rowsRead, `= ${r.rowsAccepted} accepted + ${r.rowsRejected} rejected`],
    ['  accepted', r.rowsAccepted],
    ['  rejected', r.rowsRejected],
    ...emptyRows(r.rowsEmpty),
  ];
}
