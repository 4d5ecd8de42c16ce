/**
 * Reads an audit export back for `verify --export`: JSON Lines (its last
 * line the manifest) or CSV (one enquiry a row; the manifest in FILE.manifest.json).
 */

import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { inputError } from '../domain/errors.js';
import type { ChainedEntry } from '../domain/layout.js';
import type { Manifest } from '../domain/verification.js';
import { CONTACT_FIELDS, type StoredField } from '../domain/layout.js';
import { type CsvColumn, EXPORT_CSV_FORMATS, type ExportRow, exportColumns } from './export-format.js';
import { neutralise, restore } from '../csv/formula-guard.js';
import { readCsv } from '../csv/reader.js';
import { workbookRows } from './xlsx-reader.js';

/** An entry as read back; `misescaped` names a CSV cell not escaped as `export` writes it. */
type ReadEntry = ChainedEntry & { misescaped?: string };

export interface ExportFile {
  entries: AsyncGenerator<ReadEntry>;
  /** Known once the entries are read (JSON Lines), or at once (CSV). */
  manifest: () => Manifest | undefined;
  /** Once the entries are read: what in a CSV export looks like a spreadsheet's re-save (zeros lost, dates rewritten…). */
  resaved: () => string[];
}

async function fileStart(
  path: string,
): Promise<{ first: string; firstLine: string; byteOrderMark: boolean; zip: boolean }> {
  for await (const chunk of createReadStream(path, { start: 0, end: 4096, encoding: 'latin1' })) {
    const bytes = chunk as string;
    const text = Buffer.from(bytes, 'latin1').toString('utf8');
    const body = text.replace(/^\ufeff/, '');
    return {
      first: body.trimStart()[0] ?? '',
      firstLine: body.split(/\r?\n|\r/)[0]!,
      byteOrderMark: text.startsWith('\ufeff'),
      zip: bytes.startsWith(ZIP),
    };
  }
  return { first: '', firstLine: '', byteOrderMark: false, zip: false };
}

const EXPORT_DATE = /^\d{4}-\d\d-\d\d$/;
const EXPORT_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;
const SCIENTIFIC = /^-?\d(\.\d+)?E[+-]?\d+$/i;

/**
 * What a spreadsheet does to a CSV it opens and saves again, seen in one
 * row: each sign names the column, the line and the value found. The
 * history may be intact; the file is no longer the export as written.
 */
function spreadsheetSigns(
  columns: readonly CsvColumn[],
  cells: readonly string[],
  line: number,
): { kind: string; where: string }[] {
  const signs: { kind: string; where: string }[] = [];
  columns.forEach((c, i) => {
    const cell = cells[i] ?? '';
    if (cell === '') return;
    const where = `${c.field.column} on line ${line} reads ${cell}`;
    const width = c.field.width;
    if (width && /^\d+$/.test(cell) && cell.length < width) signs.push({ kind: 'leading zeros lost', where });
    else if (c.field.type === 'date' && !EXPORT_DATE.test(cell)) signs.push({ kind: 'dates rewritten', where });
    else if (c.field.type === 'timestamp' && !EXPORT_TIME.test(cell)) signs.push({ kind: 'times rewritten', where });
    else if (SCIENTIFIC.test(cell)) signs.push({ kind: 'long numbers rewritten in scientific notation', where });
    else if (cell.includes('\ufffd'))
      signs.push({ kind: 'text not saved as UTF-8', where: `${c.field.column} on line ${line}` });
  });
  return signs;
}

type Entry = Record<string, unknown>;

/** A CSV cell as its field's value: blank is null where the field may be null; integers as numbers. */
function valueOf(field: StoredField, cell: string): unknown {
  if (cell === '' && field.nullable) return null;
  // A cell that is no whole number is kept as the text it is: its entry then fails as altered, never as a crash.
  return field.type === 'integer' && /^\d+$/.test(cell) ? Number(cell) : cell;
}

const ADDED_LATER = CONTACT_FIELDS.filter((f) => f.addedLater);

/** An entry from an export written before some fields were kept: those are null, as in the store. */
function withFieldsAddedLater<T extends object>(entry: T): T {
  const out = { ...entry } as Entry;
  for (const f of ADDED_LATER) out[f.key] ??= null;
  return out as T;
}

function jsonLines(path: string): ExportFile {
  let manifest: Manifest | undefined;
  async function* entries(): AsyncGenerator<ReadEntry> {
    let line = 0;
    for await (const text of createInterface({
      input: createReadStream(path, { encoding: 'utf8' }),
      crlfDelay: Infinity,
    })) {
      line++;
      if (text.trim() === '') continue;
      let value: ChainedEntry & { manifest?: Manifest };
      try {
        value = JSON.parse(text) as ChainedEntry & { manifest?: Manifest };
      } catch {
        throw inputError('file-unreadable', { value: path, detail: `line ${line} is not JSON` });
      }
      if (value.manifest) manifest = value.manifest;
      else if (typeof value.seq !== 'number' || typeof value.hash !== 'string' || !Array.isArray(value.enquiries)) {
        throw inputError(
          'file-unreadable',
          { value: path, detail: `line ${line} is not an entry of a cis-contact export` },
          'verify --export takes a file that cis-contact export wrote',
        );
      } else yield withFieldsAddedLater(value);
    }
  }
  return { entries: entries(), manifest: () => manifest, resaved: () => [] };
}

function readManifest(manifestPath: string): Manifest | undefined {
  if (!existsSync(manifestPath)) return undefined;
  try {
    const manifest = (JSON.parse(readFileSync(manifestPath, 'utf8')) as { manifest?: Manifest }).manifest;
    if (manifest && typeof manifest.count === 'number') return manifest;
  } catch {
    // Not JSON: refused below, like any file that is not a manifest.
  }
  throw inputError(
    'file-unreadable',
    { value: manifestPath, detail: 'it is not a cis-contact export manifest' },
    'a manifest is the one line {"manifest":{...}} that export wrote',
  );
}

/** Rows, one an enquiry, put back together as entries: consecutive rows of the same seq and hash are one contact. */
async function* groupedEntries(
  path: string,
  rows: AsyncIterable<ExportRow>,
  present: () => readonly CsvColumn[],
): AsyncGenerator<ReadEntry> {
  let current: ReadEntry | undefined;
  for await (const row of rows) {
    const contact: Entry = {};
    const enquiry: Entry = {};
    present().forEach((c, i) => {
      (c.ofEnquiry ? enquiry : contact)[c.field.key] = valueOf(c.field, row.cells[i] ?? '');
    });
    const seq = contact.seq;
    if (typeof seq !== 'number') {
      throw inputError(
        'file-unreadable',
        {
          value: path,
          detail: `line ${row.line}: its seq cell reads "${String(seq).slice(0, 40)}", not the number of an entry, so its rows cannot be told apart (a line break or a separator added or lost?)`,
        },
        'verify the file export wrote, or export again',
      );
    }
    if (current && current.seq === seq && current.hash === contact.hash) {
      current.enquiries.push(enquiry as unknown as ReadEntry['enquiries'][number]);
      if (row.problem) current.misescaped ??= row.problem;
      continue;
    }
    if (current) yield current;
    current = {
      ...withFieldsAddedLater(contact),
      enquiries: [enquiry],
      ...(row.problem ? { misescaped: row.problem } : {}),
    } as unknown as ReadEntry;
  }
  if (current) yield current;
}

function csvFile(path: string, byteOrderMark: boolean, manifestPath = `${path}.manifest.json`): ExportFile {
  const manifest = readManifest(manifestPath);
  /** The first signs of a spreadsheet's re-save, one of each kind. */
  const signs = new Map<string, string>();
  let present: readonly CsvColumn[] | undefined;
  async function* rows(): AsyncGenerator<ExportRow> {
    let header: string[] | undefined;
    for await (const item of readCsv(path)) {
      if (item.kind !== 'row')
        throw inputError('file-unreadable', {
          value: path,
          detail: `line ${item.line}: a quoted field is never closed`,
        });
      if (!header) {
        header = item.values;
        present = exportColumns(header);
        if (!present)
          throw inputError('file-unreadable', { value: path, detail: 'it is not a cis-contact CSV export' });
        continue;
      }
      const cells = item.values.map((v) => restore(v));
      for (const sign of spreadsheetSigns(present!, item.values, item.line))
        if (!signs.has(sign.kind)) signs.set(sign.kind, `${sign.kind} (${sign.where})`);
      // Each cell must be exactly what export writes for its value: a formula with its guard removed is a failure.
      const misescaped = header.find((_, i) => neutralise(cells[i] ?? '') !== (item.values[i] ?? ''));
      const problem = misescaped
        ? `line ${item.line}: the ${misescaped} cell is not escaped as export writes it (a spreadsheet would run it)`
        : undefined;
      yield { line: item.line, cells, problem };
    }
  }
  const resaved = () =>
    signs.size === 0
      ? []
      : [...signs.values(), ...(byteOrderMark ? [] : ['the byte-order mark export writes first is gone'])];
  return { entries: groupedEntries(path, rows(), () => present!), manifest: () => manifest, resaved };
}

function xlsxFile(path: string, manifestPath = `${path}.manifest.json`): ExportFile {
  const manifest = readManifest(manifestPath);
  const sheet = workbookRows(path);
  return { entries: groupedEntries(path, sheet.rows, sheet.columns), manifest: () => manifest, resaved: () => [] };
}

/** A zip archive's first bytes: a workbook (`.xlsx`) is one. */
const ZIP = 'PK\u0003\u0004';

export async function openExport(path: string, manifestPath?: string): Promise<ExportFile> {
  if (!existsSync(path)) throw inputError('file-unreadable', { value: path, detail: 'no such file' });
  const start = await fileStart(path);
  if (start.zip) return xlsxFile(path, manifestPath);
  // Read with commas, such a file fails on its first quoted cell: its header says what happened.
  if (EXPORT_CSV_FORMATS.some((f) => f.join(';') === start.firstLine)) {
    throw inputError(
      'file-unreadable',
      {
        value: path,
        detail:
          'its cells are separated by semicolons, not commas: a spreadsheet saved it again, so it is no longer the export as written',
      },
      'verify the file export wrote (keep it unopened, or open a copy), or export again',
    );
  }
  return start.first === '{' ? jsonLines(path) : csvFile(path, start.byteOrderMark, manifestPath);
}
