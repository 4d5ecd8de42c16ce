/**
 * The audit export: every stored field, the chain values,
 * and a manifest. JSON Lines: one contact a line, raw, then a manifest line.
 * CSV: one enquiry a row with its contact's fields, cells a spreadsheet would
 * run neutralised with a leading `'`, and the manifest beside it.
 */

import type { ChainedEntry } from '../domain/layout.js';
import type { Manifest } from '../domain/verification.js';
import { neutralise } from '../csv/formula-guard.js';

/** The columns of exports written before contacts kept who recorded them; `verify --export` still reads them. */
export const EXPORT_CSV_COLUMNS_BEFORE_RECORDED_BY = [
  'seq', 'source_key', 'utr', 'partnership_utr', 'contact_type', 'contact_name', 'channel', 'direction',
  'authentication', 'enquiry_date', 'operator_pid', 'import_run_id', 'recorded_at', 'position', 'subject',
  'action_taken', 'general_notes', 'prev_hash', 'hash',
] as const;

/** `recorded_by` comes last, so a reader that takes columns by position reads older columns where they were. */
export const EXPORT_CSV_COLUMNS = [...EXPORT_CSV_COLUMNS_BEFORE_RECORDED_BY, 'recorded_by'] as const;

const cell = (v: string | number | null) => (v === null ? '' : neutralise(String(v)));

export function csvRows(e: ChainedEntry): string[][] {
  return e.enquiries.map((q) => [
    e.seq, e.sourceKey, e.utr, e.partnershipUtr, e.contactType, e.contactName, e.channel, e.direction,
    e.authentication, e.enquiryDate, e.operatorPid, e.importRunId, e.recordedAt, q.position, q.subject,
    q.actionTaken, q.generalNotes, e.prevHash, e.hash, e.recordedBy,
  ].map(cell));
}

/** One entry a line; `recordedBy` only where the entry has it, so the line less its chain values is what was hashed. */
export function jsonLine(e: ChainedEntry): string {
  const { seq, sourceKey, utr, partnershipUtr, contactType, contactName, channel, direction, authentication, enquiryDate,
    operatorPid, importRunId, recordedAt, recordedBy, enquiries, prevHash, hash } = e;
  return JSON.stringify({
    seq, sourceKey, utr, partnershipUtr, contactType, contactName, channel, direction, authentication, enquiryDate,
    operatorPid, importRunId, recordedAt, ...(recordedBy === null ? {} : { recordedBy }), enquiries, prevHash, hash,
  });
}

export function manifestLine(manifest: Manifest): string {
  return JSON.stringify({ manifest });
}
