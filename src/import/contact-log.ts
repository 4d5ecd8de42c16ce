/**
 * The contact log (SPEC 2.1) as units: consecutive rows with the same
 * non-blank contact_ref are one contact; a blank contact_ref is a contact of
 * its own. Units are yielded as soon as they end; nothing else is held.
 */

import { type Issue, issue } from '../domain/catalogue.js';
import { CONTACT_FIELDS, ENQUIRY_FIELDS, type RawContact } from '../domain/contact.js';
import { type Encoding, readCsv } from '../csv/reader.js';
import { type ColumnMap, type FileLayout, type ResolvedHeader, encodingIssues, fieldsOf, resolveHeader } from '../csv/header.js';
import { inputError } from '../domain/errors.js';
import { CompactIndex } from './compact-index.js';

export const CONTACT_LOG_LAYOUT: FileLayout = {
  known: ['contact_ref', ...CONTACT_FIELDS, ...ENQUIRY_FIELDS],
  required: ['utr', 'channel', 'enquiry_date', 'operator_pid', 'subject'],
};

export interface LogRow {
  line: number;
  values: string[];
  fields: Record<string, string>;
  /** Problems of the row as text: shape, encoding, an unclosed quote. */
  issues: Issue[];
  bytesRead: number;
}

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

export async function* logRows(file: string, encoding: Encoding, map: ColumnMap, onHeader: (h: ResolvedHeader) => void): AsyncGenerator<LogRow> {
  let header: ResolvedHeader | undefined;
  const encodingName = encoding === 'utf-8' ? 'UTF-8' : 'windows-1252';
  for await (const item of readCsv(file, encoding)) {
    if (!header) {
      if (item.kind !== 'row') throw inputError('file-unreadable', `${file}: the header is not a complete CSV line`);
      header = resolveHeader(item.values, CONTACT_LOG_LAYOUT, map);
      onHeader(header);
      continue;
    }
    if (item.kind === 'unclosed-quote') {
      yield { line: item.line, values: [], fields: {}, issues: [issue('unclosed-quote')], bytesRead: Number.MAX_SAFE_INTEGER };
      continue;
    }
    const { fields, issues } = fieldsOf(item.values, header);
    issues.push(...encodingIssues(fields, encodingName));
    yield { line: item.line, values: item.values, fields, issues, bytesRead: item.bytesRead };
  }
  if (!header) throw inputError('missing-column', `${file} is empty: it has no header line`);
}

/** Groups rows into units; `refs` remembers every contact_ref used, and the line its contact began on. */
export async function* logUnits(rows: AsyncIterable<LogRow>, refs = new CompactIndex()): AsyncGenerator<LogUnit> {
  let current: LogUnit | undefined;
  for await (const row of rows) {
    const ref = row.issues.some((i) => i.code === 'unclosed-quote') ? '' : (row.fields.contact_ref ?? '').trim();
    if (current && ref !== '' && current.ref === ref) {
      current.rows.push(row);
      continue;
    }
    if (current) yield current;
    current = { ref: ref === '' ? null : ref, rows: [row], issues: [] };
    if (ref !== '') {
      const key = CompactIndex.keyOf(ref);
      const earlier = refs.get(key);
      if (earlier !== undefined) current.issues.push(issue('contact-ref-reused', { field: 'contact_ref', value: ref, limit: earlier }));
      else refs.set(key, row.line);
    }
  }
  if (current) yield current;
}
