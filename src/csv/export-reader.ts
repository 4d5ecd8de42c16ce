/**
 * Reads an audit export back for `verify --export`: JSON Lines (its last
 * line the manifest) or CSV (one enquiry a row; the manifest in FILE.manifest.json).
 */

import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { inputError } from '../domain/errors.js';
import type { ChainedEntry, Manifest } from '../domain/verification.js';
import { EXPORT_CSV_COLUMNS, EXPORT_CSV_COLUMNS_BEFORE_RECORDED_BY } from '../reporting/export-format.js';
import { neutralise, restore } from './formula-guard.js';
import { readCsv } from './reader.js';

/** An entry as read back; `misescaped` names a CSV cell not escaped as `export` writes it. */
export type ReadEntry = ChainedEntry & { misescaped?: string };

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

function jsonLines(path: string): ExportFile {
  let manifest: Manifest | undefined;
  async function* entries(): AsyncGenerator<ReadEntry> {
    let line = 0;
    for await (const text of createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity })) {
      line++;
      if (text.trim() === '') continue;
      let value: ChainedEntry & { manifest?: Manifest };
      try {
        value = JSON.parse(text);
      } catch {
        throw inputError('file-unreadable', { value: path, detail: `line ${line} is not JSON` });
      }
      if (value.manifest) manifest = value.manifest;
      else if (typeof value.seq !== 'number' || typeof value.hash !== 'string' || !Array.isArray(value.enquiries)) {
        throw inputError('file-unreadable', { value: path, detail: `line ${line} is not an entry of a cis-contact export` }, 'verify --export takes a file that cis-contact export wrote');
      } else yield { ...value, recordedBy: value.recordedBy ?? null };
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
    let current: ReadEntry | undefined;
    for await (const item of readCsv(path)) {
      if (item.kind !== 'row') throw inputError('file-unreadable', { value: path, detail: `line ${item.line}: a quoted field is never closed` });
      if (!header) {
        header = item.values;
        const columns = header.join(',');
        if (columns !== EXPORT_CSV_COLUMNS.join(',') && columns !== EXPORT_CSV_COLUMNS_BEFORE_RECORDED_BY.join(',')) throw inputError('file-unreadable', { value: path, detail: 'it is not a cis-contact CSV export' });
        continue;
      }
      const v = Object.fromEntries(header.map((h, i) => [h, restore(item.values[i] ?? '')])) as Record<string, string>;
      // Each cell must be exactly what export writes for its value: a formula with its guard removed is a failure.
      const misescaped = header.find((_, i) => neutralise(v[header![i]!]!) !== (item.values[i] ?? ''));
      const orNull = (s: string | undefined) => (s === undefined || s === '' ? null : s);
      const seq = Number(v.seq);
      const enquiry = { position: Number(v.position), subject: v.subject!, actionTaken: orNull(v.action_taken), generalNotes: orNull(v.general_notes) };
      const problem = misescaped ? `line ${item.line}: the ${misescaped} cell is not escaped as export writes it (a spreadsheet would run it)` : undefined;
      if (current && current.seq === seq && current.hash === v.hash) {
        current.enquiries.push(enquiry);
        if (problem) current.misescaped ??= problem;
        continue;
      }
      if (current) yield current;
      current = {
        seq, sourceKey: v.source_key!, utr: v.utr!, partnershipUtr: orNull(v.partnership_utr), contactType: orNull(v.contact_type),
        contactName: orNull(v.contact_name), channel: v.channel!, direction: v.direction!, authentication: orNull(v.authentication),
        enquiryDate: v.enquiry_date!, operatorPid: v.operator_pid!, importRunId: v.import_run_id ? Number(v.import_run_id) : null,
        recordedAt: v.recorded_at!, recordedBy: orNull(v.recorded_by), enquiries: [enquiry], prevHash: v.prev_hash!, hash: v.hash!,
        ...(problem ? { misescaped: problem } : {}),
      };
    }
    if (current) yield current;
  }
  return { entries: entries(), manifest: () => manifest };
}

export async function openExport(path: string, manifestPath?: string): Promise<ExportFile> {
  if (!existsSync(path)) throw inputError('file-unreadable', { value: path, detail: 'no such file' });
  return (await firstCharacter(path)) === '{' ? jsonLines(path) : csvFile(path, manifestPath);
}
