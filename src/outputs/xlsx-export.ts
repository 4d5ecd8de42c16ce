/**
 * The audit export as a workbook (`export --format xlsx`), for people who
 * open exports in a spreadsheet. The same rows and columns as the CSV
 * export, one enquiry a row, written by exceljs's streaming writer: each row
 * is committed as it is written, so memory stays flat however long the
 * history.
 *
 * A spreadsheet guesses the type of what a CSV holds; a workbook says it.
 * Every text field (UTR, PID, ref, names, actions, notes, hashes) is a text
 * cell formatted as text, so no leading zero is lost, no long number turns
 * into `1.2E+15`, and no text is ever run as a formula — a text cell is never
 * evaluated, so the CSV's leading `'` guard is not needed and not written.
 * Line breaks in notes are kept (the cell wraps). The enquiry date is a date
 * cell; `recorded_at` stays text, because the chain hashes its exact
 * microseconds, which a spreadsheet's date cannot hold. The header row is
 * bold and frozen.
 */

import { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { ChainedEntry, StoredField } from '../domain/layout.js';
import { CSV_COLUMNS, type CsvColumn } from './export-format.js';

/** Where the workbook's bytes go, with back-pressure (a WholeFile). */
export interface ByteSink {
  write(bytes: Uint8Array): Promise<void>;
}

/** The one worksheet's name; `verify --export` reads the first worksheet whatever its name. */
const SHEET = 'Contacts';

const WIDE_TEXT = new Set(['action_taken', 'general_notes', 'contact_name', 'source_key']);

function columnStyle(field: StoredField): Partial<ExcelJS.Style> {
  if (field.type === 'integer') return { numFmt: '0' };
  if (field.type === 'date') return { numFmt: 'yyyy-mm-dd' };
  return WIDE_TEXT.has(field.column)
    ? { numFmt: '@', alignment: { wrapText: true, vertical: 'top' } }
    : { numFmt: '@' };
}

function columnWidth(field: StoredField): number {
  if (field.column === 'general_notes') return 60;
  if (field.column === 'action_taken') return 40;
  if (field.column === 'prev_hash' || field.column === 'hash') return 66;
  if (WIDE_TEXT.has(field.column)) return 24;
  return Math.max(12, field.column.length + 2);
}

/** A value as its cell: text as text, whole numbers as numbers, the enquiry date as a date; nothing for null. */
function cellValue(field: StoredField, value: unknown): ExcelJS.CellValue {
  if (value === null || value === undefined) return null;
  if (field.type === 'integer') return Number(value);
  // Stored values are strings, numbers or booleans (a layout field is never an object).
  const text =
    typeof value === 'string'
      ? value
      : typeof value === 'number' || typeof value === 'boolean'
        ? String(value)
        : JSON.stringify(value);
  if (field.type === 'date') return new Date(`${text}T00:00:00Z`);
  return text;
}

type Entry = Readonly<Record<string, unknown>>;

function rowValues(columns: readonly CsvColumn[], entry: ChainedEntry, enquiry: Entry): ExcelJS.CellValue[] {
  return columns.map((c) => cellValue(c.field, (c.ofEnquiry ? enquiry : (entry as unknown as Entry))[c.field.key]));
}

export class XlsxExport {
  private readonly workbook: ExcelJS.stream.xlsx.WorkbookWriter;
  private readonly sheet: ExcelJS.Worksheet;

  constructor(sink: ByteSink) {
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        sink.write(chunk).then(() => done(), done);
      },
    });
    this.workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useStyles: true, useSharedStrings: false });
    this.sheet = this.workbook.addWorksheet(SHEET, { views: [{ state: 'frozen', ySplit: 1 }] });
    this.sheet.columns = CSV_COLUMNS.map((c) => ({
      key: c.field.column,
      width: columnWidth(c.field),
      style: columnStyle(c.field),
    }));
    const header = this.sheet.addRow(CSV_COLUMNS.map((c) => c.field.column));
    header.font = { bold: true };
    header.commit();
  }

  /** An entry's rows: one an enquiry, each with its contact's fields. */
  add(entry: ChainedEntry): void {
    for (const enquiry of entry.enquiries) this.sheet.addRow(rowValues(CSV_COLUMNS, entry, enquiry)).commit();
  }

  /** The workbook is complete: everything is written to the sink. */
  async finish(): Promise<void> {
    this.sheet.commit();
    await this.workbook.commit();
  }
}
