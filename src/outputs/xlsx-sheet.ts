/**
 * A worksheet's rows as they stream from its XML part: each cell's kind (what
 * the file says it is: text, a number, a date, a formula, …) and its content
 * as text, read from the file as written, with nothing guessed.
 *
 * A number and a date are both a number in the file; the cell's style says
 * which (a date is days since 1899-12-30, or since 1904-01-01 in a workbook
 * that says so).
 */

import type { Readable } from 'node:stream';
import { SaxesParser } from 'saxes';
import type { WorkbookParts } from './xlsx-parts.js';
import { fedInChunks, localName } from './xml-part.js';

export type CellKind = 'text' | 'formatted text' | 'number' | 'date' | 'formula' | 'boolean' | 'error';

export interface SheetCell {
  kind: CellKind;
  text: string;
}

export interface SheetRow {
  /** The row's number in the sheet (1 is the first). */
  number: number;
  /** Its cells that hold something, by column (1 is A). */
  cells: ReadonlyMap<number, SheetCell>;
}

const DAY_MS = 86_400_000;
/** Day 0 of each date system, in milliseconds since 1970 (day 0 of 1900's is 1899-12-30: Excel counts 1900-02-29). */
const DAY_ZERO_1900 = Date.UTC(1899, 11, 30);
const DAY_ZERO_1904 = Date.UTC(1904, 0, 1);

function dateText(serial: number, date1904: boolean): string {
  const ms = (date1904 ? DAY_ZERO_1904 : DAY_ZERO_1900) + Math.round(serial * DAY_MS);
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? String(serial) : date.toISOString().slice(0, 10);
}

/** A column's number from a cell reference: `J2` is column 10. */
function columnOf(reference: string): number {
  let column = 0;
  for (const letter of reference.toUpperCase()) {
    if (letter < 'A' || letter > 'Z') break;
    column = column * 26 + (letter.charCodeAt(0) - 64);
  }
  return column;
}

/** What one `<c>` element held, as it was read. */
interface CellMarkup {
  column: number;
  type: string;
  style: number;
  value: string | undefined;
  formula: boolean;
  inline: string;
  inlineFormatted: boolean;
}

/** What a cell holds, from its type (`t`), style (`s`) and content; undefined for a cell with none. */
function cellOf(c: CellMarkup, parts: WorkbookParts): SheetCell | undefined {
  if (c.formula) return { kind: 'formula', text: c.value ?? '' };
  if (c.type === 'inlineStr') return { kind: c.inlineFormatted ? 'formatted text' : 'text', text: c.inline };
  if (c.value === undefined) return undefined;
  switch (c.type) {
    case 's': {
      const shared = parts.sharedStrings[Number(c.value)];
      return { kind: shared?.formatted ? 'formatted text' : 'text', text: shared?.text ?? '' };
    }
    case 'str':
      return { kind: 'text', text: c.value };
    case 'b':
      return { kind: 'boolean', text: c.value === '0' ? 'false' : 'true' };
    case 'e':
      return { kind: 'error', text: c.value };
    case 'd':
      return { kind: 'date', text: c.value.slice(0, 10) };
    default: {
      const number = Number(c.value);
      return parts.dateStyles[c.style]
        ? { kind: 'date', text: dateText(number, parts.date1904) }
        : { kind: 'number', text: String(number) };
    }
  }
}

/** The rows of a worksheet's part, each as soon as its end is read. */
export async function* sheetRows(stream: Readable, parts: WorkbookParts): AsyncGenerator<SheetRow> {
  const completed: SheetRow[] = [];
  let row: { number: number; cells: Map<number, SheetCell> } | undefined;
  let lastRow = 0;
  let cell: CellMarkup | undefined;
  let lastColumn = 0;
  let reading: 'value' | 'formula' | 'inline' | undefined;
  let inPhonetic = false;

  const parser = new SaxesParser();
  parser.on('opentag', (tag) => {
    const a = tag.attributes;
    switch (localName(tag.name)) {
      case 'row':
        lastRow = a.r ? Number(a.r) : lastRow + 1;
        row = { number: lastRow, cells: new Map() };
        lastColumn = 0;
        break;
      case 'c':
        lastColumn = a.r ? columnOf(a.r) : lastColumn + 1;
        cell = {
          column: lastColumn,
          type: a.t ?? 'n',
          style: Number(a.s ?? 0),
          value: undefined,
          formula: false,
          inline: '',
          inlineFormatted: false,
        };
        break;
      case 'v':
        if (cell) {
          cell.value = '';
          reading = 'value';
        }
        break;
      case 'f':
        if (cell) {
          cell.formula = true;
          reading = 'formula';
        }
        break;
      case 'r':
        if (cell) cell.inlineFormatted = true;
        break;
      case 'rPh':
        inPhonetic = true;
        break;
      case 't':
        if (cell && !inPhonetic) reading = 'inline';
        break;
    }
  });
  parser.on('text', (text) => {
    if (!cell) return;
    if (reading === 'value') cell.value += text;
    else if (reading === 'inline') cell.inline += text;
  });
  parser.on('closetag', (tag) => {
    switch (localName(tag.name)) {
      case 'v':
      case 'f':
      case 't':
        reading = undefined;
        break;
      case 'rPh':
        inPhonetic = false;
        break;
      case 'c': {
        const read = cell && cellOf(cell, parts);
        if (row && cell && read) row.cells.set(cell.column, read);
        cell = undefined;
        break;
      }
      case 'row':
        if (row) completed.push(row);
        row = undefined;
        break;
    }
  });

  for await (const _ of fedInChunks(parser, stream)) yield* completed.splice(0);
  yield* completed.splice(0);
}
