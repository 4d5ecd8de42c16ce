/**
 * Reads a workbook `export --format xlsx` wrote back, for `verify --export`,
 * with exceljs's streaming reader (one row at a time). Each cell is read as
 * the value export put there: text from a text cell, whole numbers from a
 * number cell, the enquiry date from a date cell. A cell of another kind —
 * a UTR that became a number, a formula, a date where text was — is not the
 * workbook as written: its row carries the problem, which verify reports.
 */

import ExcelJS from 'exceljs';
import { CisError, inputError } from '../domain/errors.js';
import type { StoredField } from '../domain/layout.js';
import { type CsvColumn, type ExportRow, exportColumns } from './export-format.js';

const KIND_NAMES: Partial<Record<ExcelJS.ValueType, string>> = {
  [ExcelJS.ValueType.Number]: 'a number',
  [ExcelJS.ValueType.Date]: 'a date',
  [ExcelJS.ValueType.Formula]: 'a formula',
  [ExcelJS.ValueType.SharedString]: 'text',
  [ExcelJS.ValueType.String]: 'text',
  [ExcelJS.ValueType.RichText]: 'formatted text',
  [ExcelJS.ValueType.Boolean]: 'true or false',
  [ExcelJS.ValueType.Error]: 'an error value',
  [ExcelJS.ValueType.Hyperlink]: 'a link',
};

const isoDate = (d: Date) => d.toISOString().slice(0, 10);

/** A cell as its field's text, or why it is not what export writes. */
function cellText(field: StoredField, cell: ExcelJS.Cell): { text: string; wrong?: string } {
  const value = cell.value;
  if (value === null || value === undefined) return { text: '' };
  if (field.type === 'integer' && typeof value === 'number') return { text: String(value) };
  if (field.type === 'date' && value instanceof Date) return { text: isoDate(value) };
  if (field.type !== 'integer' && field.type !== 'date' && typeof value === 'string') return { text: value };
  const expected = field.type === 'integer' ? 'a number' : field.type === 'date' ? 'a date' : 'text';
  const found = KIND_NAMES[cell.type] ?? 'another kind of value';
  const text = value instanceof Date ? isoDate(value) : typeof value === 'object' ? String(cell.text) : String(value);
  return { text, wrong: `the ${field.column} cell holds ${found}, not ${expected} as export writes it` };
}

/** The first worksheet's rows after its header, and the columns its header names (known once the header is read). */
export function workbookRows(path: string): { rows: AsyncGenerator<ExportRow>; columns: () => readonly CsvColumn[] } {
  let present: readonly CsvColumn[] | undefined;
  async function* rows(): AsyncGenerator<ExportRow> {
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(path, {
      sharedStrings: 'cache',
      styles: 'cache',
      hyperlinks: 'ignore',
      worksheets: 'emit',
      entries: 'emit',
    });
    try {
      for await (const sheet of reader) {
        for await (const row of sheet as AsyncIterable<ExcelJS.Row>) {
          if (!present) {
            const header: string[] = [];
            row.eachCell({ includeEmpty: true }, (cell, column) => {
              header[column - 1] = String(cell.text);
            });
            present = exportColumns(header);
            if (!present)
              throw inputError('file-unreadable', {
                value: path,
                detail: 'its first worksheet is not a cis-contact export',
              });
            continue;
          }
          const cells: string[] = [];
          let problem: string | undefined;
          present.forEach((c, i) => {
            const read = cellText(c.field, row.getCell(i + 1));
            cells.push(read.text);
            if (read.wrong) problem ??= `row ${row.number}: ${read.wrong}`;
          });
          if (cells.every((c) => c === '')) continue;
          yield { line: row.number, cells, problem };
        }
        // Only the first worksheet is the export.
        break;
      }
    } catch (error) {
      if (error instanceof CisError) throw error;
      throw inputError('file-unreadable', {
        value: path,
        detail: `it is not a workbook export wrote (${(error as Error).message})`,
      });
    }
    if (!present) throw inputError('file-unreadable', { value: path, detail: 'it holds no worksheet' });
  }
  return { rows: rows(), columns: () => present! };
}
