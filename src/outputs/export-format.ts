/**
 * The audit export: every stored field, the chain values,
 * and a manifest. JSON Lines: one contact a line, raw, then a manifest line.
 * CSV: a byte-order mark, then one enquiry a row with its contact's fields,
 * cells a spreadsheet would run neutralised with a leading `'`, and the
 * manifest beside it.
 */

import {
  CONTACT_LAYOUT,
  type ChainedEntry,
  ENQUIRY_FIELDS,
  type LayoutEntry,
  type StoredField,
  isList,
} from '../domain/layout.js';
import type { Manifest } from '../domain/verification.js';
import { neutralise } from '../csv/formula-guard.js';

type Entry = Record<string, unknown>;

const EXPORTED: readonly LayoutEntry[] = CONTACT_LAYOUT.filter((f) => f.exported);
const EXPORTED_FIELDS = EXPORTED.filter((f): f is StoredField => !isList(f));
const EXPORTED_ENQUIRY = ENQUIRY_FIELDS.filter((f) => f.exported);

/** A CSV export's column: the contact's field, or (one row an enquiry) the enquiry's. */
export interface CsvColumn {
  field: StoredField;
  ofEnquiry: boolean;
}

/**
 * The CSV export's columns: the layout's order with the enquiries' fields
 * where the enquiries stand, then the fields added later, in the order they
 * were added, so a reader that takes columns by position reads older columns
 * where they were.
 */
export const CSV_COLUMNS: readonly CsvColumn[] = [
  ...EXPORTED.filter((f) => isList(f) || !f.addedLater).flatMap((field) =>
    isList(field) ? EXPORTED_ENQUIRY.map((f) => ({ field: f, ofEnquiry: true })) : [{ field, ofEnquiry: false }],
  ),
  ...EXPORTED_FIELDS.filter((f) => f.addedLater)
    .sort((a, b) => a.addedLater! - b.addedLater!)
    .map((field) => ({ field, ofEnquiry: false })),
];

export const EXPORT_CSV_COLUMNS: readonly string[] = CSV_COLUMNS.map((c) => c.field.column);

/** Every CSV export's columns, newest first: each older one is the newer less its last column added later. */
export const EXPORT_CSV_FORMATS: readonly (readonly string[])[] = CSV_COLUMNS.filter((c) => c.field.addedLater).reduce(
  (formats) => [...formats, formats.at(-1)!.slice(0, -1)],
  [EXPORT_CSV_COLUMNS],
);

/**
 * What a CSV export starts with: a UTF-8 byte-order mark, so a spreadsheet
 * reads it as UTF-8 (`Café`, not `CafÃ©`), as rejects files do. Exports
 * written before it have none; `verify --export` reads both.
 */
export const CSV_EXPORT_START = '\ufeff';

/** One enquiry's row of a CSV export or a workbook: its cells as the values they stand for, and what is wrong with how it was written. */
export interface ExportRow {
  line: number;
  cells: readonly string[];
  problem?: string | undefined;
}

/** Which export's columns a header names, oldest format last; undefined if it is none of them. */
export function exportColumns(header: readonly string[]): readonly CsvColumn[] | undefined {
  const names = header.join(',');
  const format = EXPORT_CSV_FORMATS.find((f) => f.join(',') === names);
  return format ? CSV_COLUMNS.slice(0, format.length) : undefined;
}

const cell = (v: unknown) => (v === null || v === undefined ? '' : neutralise(String(v)));

/** An entry's rows of the CSV export: one an enquiry, each with its contact's fields. */
export function exportCsvRows(e: ChainedEntry): string[][] {
  return e.enquiries.map((q) => CSV_COLUMNS.map((c) => cell((c.ofEnquiry ? (q as Entry) : (e as Entry))[c.field.key])));
}

/** An object of `fields` in their order; a field added later only where the entry has it. */
function ordered(value: Entry, fields: readonly LayoutEntry[]): Entry {
  const out: Entry = {};
  for (const f of fields) {
    const v = value[f.key];
    if (v == null && !isList(f) && f.addedLater) continue;
    out[f.key] = isList(f) ? (v as Entry[]).map((q) => ordered(q, EXPORTED_ENQUIRY)) : v;
  }
  return out;
}

/** One entry a line, in the layout's order; a field added later only where the entry has it, so the line less its chain values is what was hashed. */
export function jsonLine(e: ChainedEntry): string {
  return JSON.stringify(ordered(e, EXPORTED));
}

export function manifestLine(manifest: Manifest): string {
  return JSON.stringify({ manifest });
}
