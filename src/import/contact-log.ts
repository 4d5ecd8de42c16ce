/**
 * The contact log as units: consecutive rows with the same
 * non-blank contact_ref are one contact; a blank contact_ref is a contact of
 * its own. Units are yielded as soon as they end; nothing else is held.
 */

import { type Issue, issue } from '../domain/catalogue.js';
import { CONTACT_FIELDS, ENQUIRY_FIELDS, type RawContact } from '../domain/contact.js';
import { reservedRefForm } from '../domain/identity.js';
import { matchAuthentication, matchChannel, matchContactType, matchDirection, matchSubject } from '../domain/vocabulary.js';
import type { CsvFormat } from '../csv/reader.js';
import type { ColumnMap, FileLayout } from '../csv/header.js';
import { type FileCheckOptions, checkWholeFile } from '../csv/file-check.js';
import type { FileSnapshot } from '../csv/file-snapshot.js';
import { type Row, type RowEvents, csvRowChunks } from '../csv/rows.js';
import { CompactIndex } from './compact-index.js';

export const CONTACT_LOG_LAYOUT: FileLayout = {
  known: ['contact_ref', ...CONTACT_FIELDS, ...ENQUIRY_FIELDS],
  required: ['utr', 'channel', 'enquiry_date', 'operator_pid', 'subject'],
  vocabularies: {
    contact_type: matchContactType, channel: matchChannel, direction: matchDirection, authentication: matchAuthentication, subject: matchSubject,
  },
};

export type LogRow = Row;

export interface LogUnit {
  ref: string | null;
  rows: LogRow[];
  /** Problems of the unit as a whole (a reused contact_ref). */
  issues: Issue[];
}

export function rawContactOf(rows: readonly LogRow[]): RawContact {
  const first = rows[0]!.fields;
  return {
    utr: first.utr, partners: first.partners, contact_type: first.contact_type, contact_name: first.contact_name,
    channel: first.channel, direction: first.direction, enquiry_date: first.enquiry_date,
    authentication: first.authentication, operator_pid: first.operator_pid,
    enquiries: rows.map((r) => ({ subject: r.fields.subject, action_taken: r.fields.action_taken, general_notes: r.fields.general_notes })),
  };
}

export function logRows(file: string, format: Partial<CsvFormat>, map: ColumnMap, events: RowEvents): AsyncGenerator<LogRow[]> {
  return csvRowChunks(file, format, CONTACT_LOG_LAYOUT, map, events);
}

/**
 * Groups rows into units, a chunk at a time (a unit still open at the end of a
 * chunk goes out with the next); `refs` remembers every contact_ref used, and
 * the line its contact began on.
 */
export async function* logUnits(chunks: AsyncIterable<LogRow[]>, refs = new CompactIndex()): AsyncGenerator<LogUnit[]> {
  let current: LogUnit | undefined;
  for await (const rows of chunks) {
    const units: LogUnit[] = [];
    for (const row of rows) {
      const ref = (row.fields.contact_ref ?? '').trim();
      if (current && ref !== '' && current.ref === ref) {
        current.rows.push(row);
        continue;
      }
      if (current) units.push(current);
      current = { ref: ref === '' ? null : ref, rows: [row], issues: [] };
      if (ref !== '') {
        const reserved = reservedRefForm(ref);
        if (reserved) current.issues.push(issue('ref-invalid', { field: 'contact_ref', value: ref, detail: reserved }));
        const key = CompactIndex.keyOf(ref);
        if (!refs.add(key, row.line)) current.issues.push(issue('contact-ref-reused', { field: 'contact_ref', value: ref, limit: refs.get(key)! }));
      }
    }
    if (units.length > 0) yield units;
  }
  if (current) yield [current];
}

/**
 * Checks the whole file's bytes and quoting, then the header: fatal problems
 * surface before anything at all is written, not after the batches before
 * them have been committed.
 */
export async function checkLogFile(file: string, check: FileCheckOptions, map: ColumnMap): Promise<FileSnapshot | undefined> {
  const snapshot = await checkWholeFile(file, check);
  const rows = logRows(file, check.format, map, { header: () => {} });
  try {
    await rows.next();
  } finally {
    await rows.return(undefined);
  }
  return snapshot;
}
