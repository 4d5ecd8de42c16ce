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
import { CSV_COLUMNS, type CsvColumn, EXPORT_CSV_FORMATS } from './export-format.js';
import { neutralise, restore } from '../csv/formula-guard.js';
import { readCsv } from '../csv/reader.js';

/** An entry as read back; `misescaped` names a CSV cell not escaped as `export` writes it. */
type ReadEntry = ChainedEntry & { misescaped?: string };

export interface ExportFile {
  entries: AsyncGenerator<ReadEntry>;
  /** Known once the entries are read (JSON Lines), or at once (CSV). */
  manifest: () => Manifest | undefined;
}

async function firstCharacter(path: string): Promise<string> {
  for await (const chunk of createReadStream(path, { start: 0, end: 64, encoding: 'utf8' })) {
    return (chunk as string).replace(/^\ufeff/, '').trimStart()[0] ?? '';
  }
  return '';
}

type Entry = Record<string, unknown>;

/** A CSV cell as its field's value: blank is null where the field may be null; integers as numbers. */
function valueOf(field: StoredField, cell: string): unknown {
  if (cell === '' && field.nullable) return null;
  return field.type === 'integer' ? Number(cell) : cell;
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
    for await (const text of createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity })) {
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
        throw inputError('file-unreadable', { value: path, detail: `line ${line} is not an entry of a cis-contact export` }, 'verify --export takes a file that cis-contact export wrote');
      } else yield withFieldsAddedLater(value);
    }
  }
  return { entries: entries(), manifest: () => manifest };
}

function readManifest(manifestPath: string): Manifest | undefined {
  if (!existsSync(manifestPath)) return undefined;
  try {
    const manifest = (JSON.parse(readFileSync(manifestPath, 'utf8')) as { manifest?: Manifest }).manifest;
    if (manifest && typeof manifest.count === 'number') return manifest;
  } catch {
    // Not JSON: refused below, like any file that is not a manifest.
  }
  throw inputError('file-unreadable', { value: manifestPath, detail: 'it is not a cis-contact export manifest' }, 'a manifest is the one line {"manifest":{...}} that export wrote');
}

function csvFile(path: string, manifestPath = `${path}.manifest.json`): ExportFile {
  const manifest = readManifest(manifestPath);
  async function* entries(): AsyncGenerator<ReadEntry> {
    let header: string[] | undefined;
    let present: readonly CsvColumn[] | undefined;
    let current: ReadEntry | undefined;
    for await (const item of readCsv(path)) {
      if (item.kind !== 'row') throw inputError('file-unreadable', { value: path, detail: `line ${item.line}: a quoted field is never closed` });
      if (!header) {
        header = item.values;
        const columns = header.join(',');
        const format = EXPORT_CSV_FORMATS.find((f) => f.join(',') === columns);
        if (!format) throw inputError('file-unreadable', { value: path, detail: 'it is not a cis-contact CSV export' });
        present = CSV_COLUMNS.slice(0, format.length);
        continue;
      }
      const cells = item.values.map((v) => restore(v));
      // Each cell must be exactly what export writes for its value: a formula with its guard removed is a failure.
      const misescaped = header.find((_, i) => neutralise(cells[i] ?? '') !== (item.values[i] ?? ''));
      const contact: Entry = {};
      const enquiry: Entry = {};
      present!.forEach((c, i) => { (c.ofEnquiry ? enquiry : contact)[c.field.key] = valueOf(c.field, cells[i] ?? ''); });
      const seq = contact.seq as number;
      const problem = misescaped ? `line ${item.line}: the ${misescaped} cell is not escaped as export writes it (a spreadsheet would run it)` : undefined;
      if (current && current.seq === seq && current.hash === contact.hash) {
        current.enquiries.push(enquiry as unknown as ReadEntry['enquiries'][number]);
        if (problem) current.misescaped ??= problem;
        continue;
      }
      if (current) yield current;
      current = { ...withFieldsAddedLater(contact), enquiries: [enquiry], ...(problem ? { misescaped: problem } : {}) } as unknown as ReadEntry;
    }
    if (current) yield current;
  }
  return { entries: entries(), manifest: () => manifest };
}

export async function openExport(path: string, manifestPath?: string): Promise<ExportFile> {
  if (!existsSync(path)) throw inputError('file-unreadable', { value: path, detail: 'no such file' });
  return (await firstCharacter(path)) === '{' ? jsonLines(path) : csvFile(path, manifestPath);
}
