import { createWriteStream, writeFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { once } from 'node:events';
import { stringify } from 'csv-stringify/sync';
import type { CommandResult } from '../cli/exit-handler.js';
import type { Session } from '../cli/session.js';
import { interruptedError, usageError } from '../domain/errors.js';
import type { Manifest } from '../domain/verification.js';
import { contactsInOrder, exportLineChunks } from '../storage/history-reader.js';
import { EXPORT_CSV_COLUMNS, csvRows, manifestLine } from '../reporting/export-format.js';
import { dateFilter, utrFilter } from './filters.js';

export interface ExportFlags {
  from?: string;
  to?: string;
  utr?: string;
  format?: string;
  out?: string;
  manifest?: string;
}

async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

export async function exportCommand(session: Session, flags: ExportFlags): Promise<CommandResult> {
  const format = (flags.format ?? 'csv').toLowerCase();
  if (format !== 'csv' && format !== 'jsonl') throw usageError(`--format ${flags.format}: use csv or jsonl`);
  if (!flags.out && session.ui.json) throw usageError('--json prints a summary on stdout; give --out FILE for the export itself');
  // Every export can be verified: a CSV export's manifest is a file of its own.
  const manifestFile = format === 'csv' ? (flags.manifest ?? (flags.out ? `${flags.out}.manifest.json` : undefined)) : undefined;
  if (format === 'csv' && !manifestFile) {
    throw usageError('a CSV export on standard output needs --manifest FILE: without its manifest an export cannot prove it is whole',
      'add --manifest FILE, or use --out FILE (its manifest goes to FILE.manifest.json), or --format jsonl (the manifest is its last line)');
  }
  const filter = { ...dateFilter(flags), ...utrFilter(flags.utr) };
  const filtered = Object.values(filter).some((v) => v !== undefined);
  const store = await session.store({ create: false });
  const out: Writable = flags.out ? createWriteStream(flags.out) : process.stdout;
  const manifest: Manifest = { count: 0, firstSeq: null, lastSeq: null, headHash: null, filtered };
  const stopped = () => interruptedError(`export stopped after ${manifest.count} contacts: the output has no manifest, so it will not verify`);
  if (format === 'jsonl') {
    // The database writes the lines; here they are counted into the manifest and passed on.
    for await (const chunk of exportLineChunks(store, filter)) {
      manifest.count += chunk.lines;
      manifest.firstSeq ??= chunk.firstSeq;
      manifest.lastSeq = chunk.lastSeq;
      manifest.headHash = chunk.headHash;
      await write(out, chunk.text);
      if (session.signal.aborted) throw stopped();
    }
  } else {
    await write(out, stringify([[...EXPORT_CSV_COLUMNS]]));
    for await (const entry of contactsInOrder(store.db, filter)) {
      manifest.count++;
      manifest.firstSeq ??= entry.seq;
      manifest.lastSeq = entry.seq;
      manifest.headHash = entry.hash;
      await write(out, stringify(csvRows(entry)));
      if (session.signal.aborted) throw stopped();
    }
  }
  if (format === 'jsonl') await write(out, `${manifestLine(manifest)}\n`);
  else writeFileSync(manifestFile!, `${manifestLine(manifest)}\n`);
  if (flags.out) {
    out.end();
    await once(out, 'finish');
  }
  return {
    exitCode: 0,
    json: { exported: manifest.count, format, out: flags.out ?? null, manifestFile: manifestFile ?? null, manifest },
    report: () => {
      const told = `Exported ${manifest.count} contact${manifest.count === 1 ? '' : 's'} to ${flags.out ?? 'standard output'}${manifestFile ? `; manifest in ${manifestFile}` : ''}.`;
      // On standard output the export itself is the result; the count is talk.
      if (flags.out) session.ui.say(told);
      else session.ui.talk(told);
    },
  };
}
