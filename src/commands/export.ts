import { createWriteStream, writeFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { once } from 'node:events';
import { stringify } from 'csv-stringify/sync';
import type { CommandResult } from '../cli/exit-handler.js';
import type { Session } from '../cli/session.js';
import { interruptedError, usageError } from '../domain/errors.js';
import type { Manifest } from '../domain/verification.js';
import { contactsInOrder } from '../storage/history-reader.js';
import { EXPORT_CSV_COLUMNS, csvRows, jsonLine, manifestLine } from '../reporting/export-format.js';
import { dateFilter, utrFilter } from './filters.js';

export interface ExportFlags {
  from?: string;
  to?: string;
  utr?: string;
  format?: string;
  out?: string;
}

async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

export async function exportCommand(session: Session, flags: ExportFlags): Promise<CommandResult> {
  const format = (flags.format ?? 'csv').toLowerCase();
  if (format !== 'csv' && format !== 'jsonl') throw usageError(`--format ${flags.format}: use csv or jsonl`);
  if (!flags.out && session.ui.json) throw usageError('--json prints a summary on stdout; give --out FILE for the export itself');
  const filter = { ...dateFilter(flags), ...utrFilter(flags.utr) };
  const filtered = Object.values(filter).some((v) => v !== undefined);
  const store = await session.store({ create: false });
  const out: Writable = flags.out ? createWriteStream(flags.out) : process.stdout;
  const manifest: Manifest = { count: 0, firstSeq: null, lastSeq: null, headHash: null, filtered };
  if (format === 'csv') await write(out, stringify([[...EXPORT_CSV_COLUMNS]]));
  for await (const entry of contactsInOrder(store.db, filter)) {
    manifest.count++;
    manifest.firstSeq ??= entry.seq;
    manifest.lastSeq = entry.seq;
    manifest.headHash = entry.hash;
    await write(out, format === 'csv' ? stringify(csvRows(entry)) : `${jsonLine(entry)}\n`);
    if (session.signal.aborted) throw interruptedError(`export stopped after ${manifest.count} contacts: the output has no manifest, so it will not verify`);
  }
  let manifestFile: string | null = null;
  if (format === 'jsonl') await write(out, `${manifestLine(manifest)}\n`);
  else if (flags.out) {
    manifestFile = `${flags.out}.manifest.json`;
    writeFileSync(manifestFile, `${manifestLine(manifest)}\n`);
  }
  if (flags.out) {
    out.end();
    await once(out, 'finish');
  }
  return {
    exitCode: 0,
    json: { exported: manifest.count, format, out: flags.out ?? null, manifestFile, manifest },
    report: () => {
      if (format === 'csv' && !flags.out) session.ui.say(`manifest: ${manifestLine(manifest)}`);
      if (flags.out) session.ui.say(`Exported ${manifest.count} contact${manifest.count === 1 ? '' : 's'} to ${flags.out}${manifestFile ? `; manifest in ${manifestFile}` : ''}.`);
    },
  };
}
