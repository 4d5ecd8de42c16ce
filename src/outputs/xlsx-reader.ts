/**
 * Reads a workbook `export --format xlsx` wrote back, for `verify --export`:
 * its parts through the zip's central directory (zip-archive.ts), then its
 * first worksheet one row at a time, so memory stays flat however long the
 * export. Each cell is read as the value export put there: text from a text
 * cell, whole numbers from a number cell, the enquiry date from a date cell.
 * A cell of another kind — a UTR that became a number, a formula, a date
 * where text was — is not the workbook as written: its row carries the
 * problem, which verify reports.
 */

import type { Readable } from 'node:stream';
import { CisError, inputError } from '../domain/errors.js';
import type { StoredField } from '../domain/layout.js';
import { type CsvColumn, type ExportRow, exportColumns } from './export-format.js';
import { readWorkbookParts } from './xlsx-parts.js';
import { type CellKind, type SheetCell, type SheetRow, sheetRows } from './xlsx-sheet.js';
import { openZip } from './zip-archive.js';

const KIND_NAMES: Record<CellKind, string> = {
  text: 'text',
  'formatted text': 'formatted text',
  number: 'a number',
  date: 'a date',
  formula: 'a formula',
  boolean: 'true or false',
  error: 'an error value',
};

/** The kind of cell export writes a field's value in. */
function kindWritten(field: StoredField): CellKind {
  if (field.type === 'integer') return 'number';
  if (field.type === 'date') return 'date';
  return 'text';
}

/** A cell as its field's text, or why it is not what export writes. */
function cellText(field: StoredField, cell: SheetCell | undefined): { text: string; wrong?: string } {
  if (!cell) return { text: '' };
  const expected = kindWritten(field);
  if (cell.kind === expected) return { text: cell.text };
  return {
    text: cell.text,
    wrong: `the ${field.column} cell holds ${KIND_NAMES[cell.kind]}, not ${KIND_NAMES[expected]} as export writes it`,
  };
}

/** A header row's cells as the column names they hold, from column A. */
function headerNames(row: SheetRow): string[] {
  const last = Math.max(0, ...row.cells.keys());
  return Array.from({ length: last }, (_, i) => row.cells.get(i + 1)?.text ?? '');
}

/** The first worksheet's rows after its header, and the columns its header names (known once the header is read). */
export function workbookRows(path: string): { rows: AsyncGenerator<ExportRow>; columns: () => readonly CsvColumn[] } {
  let present: readonly CsvColumn[] = [];
  async function* rows(): AsyncGenerator<ExportRow> {
    let header = true;
    const zip = await openZip(path).catch((error: unknown) => {
      throw unreadable(path, error);
    });
    let sheet: Readable | undefined;
    try {
      const parts = await readWorkbookParts(zip);
      if (!parts) throw inputError('file-unreadable', { value: path, detail: 'it holds no worksheet' });
      sheet = await zip.open(parts.firstSheet);
      for await (const row of sheetRows(sheet, parts)) {
        if (header) {
          const columns = exportColumns(headerNames(row));
          if (!columns)
            throw inputError('file-unreadable', {
              value: path,
              detail: 'its first worksheet is not a cis-contact export',
            });
          present = columns;
          header = false;
          continue;
        }
        const cells: string[] = [];
        let problem: string | undefined;
        present.forEach((c, i) => {
          const read = cellText(c.field, row.cells.get(i + 1));
          cells.push(read.text);
          if (read.wrong) problem ??= `row ${row.number}: ${read.wrong}`;
        });
        if (cells.every((c) => c === '')) continue;
        yield { line: row.number, cells, problem };
      }
    } catch (error) {
      throw unreadable(path, error);
    } finally {
      // A reader that stops early (verify fails at a cut chain) leaves the sheet's stream unread: it is let go.
      sheet?.destroy();
      zip.close();
    }
    if (header) throw inputError('file-unreadable', { value: path, detail: 'it holds no worksheet' });
  }
  return { rows: rows(), columns: () => present };
}

function unreadable(path: string, error: unknown): CisError {
  if (error instanceof CisError) return error;
  return inputError('file-unreadable', {
    value: path,
    detail: `it is not a workbook export wrote (${(error as Error).message})`,
  });
}
