/**
 * What each writing command reports: made by the code that writes, shown by
 * the terminal and the --json document, so it lives below both.
 */

import type { CodeCounts, Issue } from './catalogue.js';
import type { ChainEnquiry } from './layout.js';

/** One contact `record` (or a line of `run`) stored: a partnership contact is one per partner. */
export interface RecordedContact {
  id: number;
  utr: string;
  partnershipUtr: string | null;
  enquiries: ChainEnquiry[];
}

/** A contact recorded (or found already recorded: `duplicate`), or refused with its errors. */
export type RecordOutcome =
  | { recorded: true; duplicate: boolean; contacts: RecordedContact[]; warnings: Issue[] }
  | { recorded: false; errors: Issue[]; warnings: Issue[] };

/** How far an import has got, once a batch is committed: the rows so far, and what became of them. */
export interface ImportProgress {
  rowsRead: number;
  bytesRead: number;
  rowsAccepted: number;
  rowsDuplicate: number;
  rowsSuperseded: number;
  rowsRejected: number;
}

/**
 * What became of one row of an imported file: stored (`accepted`), found
 * stored already (`duplicate`), refused by the rules while its contact_ref
 * is stored with other content, which stands (`superseded`), refused
 * (`rejected`), or a row of empty cells, skipped (`empty`).
 */
export type RowOutcome = 'accepted' | 'duplicate' | 'superseded' | 'rejected' | 'empty';

/** A stored contact a row became or met: its place in the history and its source key. */
export interface StoredContactRef {
  seq: number;
  sourceKey: string;
}

/** The outcome of one contact-log import: every row counted once, as accepted, duplicate, superseded, rejected or empty. */
export interface ContactImportSummary {
  file: string;
  dryRun: boolean;
  /** rowsAccepted + rowsDuplicate + rowsSuperseded + rowsRejected. */
  rowsRead: number;
  rowsAccepted: number;
  rowsRejected: number;
  rowsDuplicate: number;
  /** Rows the rules refused whose contact_ref is stored already with other content: it stands, nothing to fix. */
  rowsSuperseded: number;
  /** Rows whose cells are all empty (a spreadsheet's trailing `,,,,`): skipped, not in rowsRead. */
  rowsEmpty: number;
  /** contactsAccepted + partnerExpansions. */
  contactsWritten: number;
  /** Contacts the accepted rows make (rows of one contact_ref are one contact). */
  contactsAccepted: number;
  /** Contacts beyond one each for partnership contacts, stored on each partner's record. */
  partnerExpansions: number;
  enquiriesWritten: number;
  rejectsByCode: CodeCounts;
  warningsByCode: CodeCounts;
  rejectsFile: string | null;
  /** The outcome of every row (`--outcomes`), or null. */
  outcomesFile: string | null;
  importRun: number | null;
  /** Stopped by a signal before the end of the file: a re-run completes it. */
  interrupted?: boolean;
  /** Earlier runs of the same login whose process had died unfinished, closed by this one as interrupted. */
  closedRuns?: { id: number; file: string; contactsWritten: number }[];
}

/** The outcome of one registry or operators import. */
export interface ReferenceImportSummary {
  file: string;
  rowsRead: number;
  rowsAccepted: number;
  rowsRejected: number;
  /** Rows whose cells are all empty: skipped, not in rowsRead. */
  rowsEmpty: number;
  rejectsByCode: CodeCounts;
  rejectsFile: string | null;
}
