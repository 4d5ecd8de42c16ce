import { stringify } from 'csv-stringify/sync';
import { once } from 'node:events';
import { lstatSync } from 'node:fs';
import type { CommandResult } from './command-result.js';
import type { Session } from './session.js';
import { interruptedError, usageError } from '../domain/errors.js';
import type { Manifest } from '../domain/verification.js';
import { contactsInOrder, exportLineChunks, matchingContacts, storeIdentity } from '../storage/history-reader.js';
import { CSV_EXPORT_START, EXPORT_CSV_COLUMNS, exportCsvRows, manifestLine } from '../outputs/export-format.js';
import { WholeFile } from '../outputs/whole-file.js';
import { XlsxExport } from '../outputs/xlsx-export.js';
import { assertSafeOutput } from '../outputs/private-file.js';
import { CELL_QUOTING } from '../csv/formula-guard.js';
import { dateFilter, utrFilter } from './filters.js';
import { reading } from './reading.js';

export interface ExportFlags {
  from?: string;
  to?: string;
  utr?: string;
  format?: string;
  out?: string;
  manifest?: string;
  force?: boolean;
}

const isFile = (path: string) => {
  try {
    return lstatSync(path).isFile();
  } catch {
    return false;
  }
};

/**
 * Before anything is read: no output through a link or in a folder others
 * may change, and no kept file (an auditor's earlier export, say) replaced
 * unless --force says so.
 */
function guardExportOutputs(outputs: readonly [string | undefined, string][], force: boolean): void {
  for (const [path, flag] of outputs) if (path) assertSafeOutput(path, flag);
  if (force) return;
  for (const [path, flag] of outputs) {
    if (path && isFile(path)) {
      throw usageError(
        `${path} exists: export does not replace a file unless told to`,
        `add --force to replace it, or give another ${flag}; nothing was read or written`,
      );
    }
  }
}

/** Standard output, written with its back-pressure. */
const standardOutput = (stdout: NodeJS.WritableStream) => ({
  async write(text: string | Uint8Array): Promise<void> {
    if (!stdout.write(text)) await once(stdout, 'drain');
  },
});

export async function exportCommand(session: Session, flags: ExportFlags): Promise<CommandResult> {
  const format = (flags.format ?? 'csv').toLowerCase();
  if (format !== 'csv' && format !== 'jsonl' && format !== 'xlsx')
    throw usageError(`--format ${flags.format}: use csv, jsonl or xlsx`);
  if (!flags.out && session.ui.json)
    throw usageError('--json prints a summary on stdout; give --out FILE for the export itself');
  if (!flags.out && format === 'xlsx')
    throw usageError(
      'a workbook is written to a file: give --out FILE.xlsx',
      'its manifest goes to FILE.xlsx.manifest.json',
    );
  // Every export can be verified: a CSV export's or a workbook's manifest is a file of its own.
  const manifestFile =
    format !== 'jsonl' ? (flags.manifest ?? (flags.out ? `${flags.out}.manifest.json` : undefined)) : undefined;
  if (format === 'csv' && !manifestFile) {
    throw usageError(
      'a CSV export on standard output needs --manifest FILE: without its manifest an export cannot prove it is whole',
      'add --manifest FILE, or use --out FILE (its manifest goes to FILE.manifest.json), or --format jsonl (the manifest is its last line)',
    );
  }
  guardExportOutputs(
    [
      [flags.out, '--out'],
      [manifestFile, '--manifest'],
    ],
    Boolean(flags.force),
  );
  const filter = { ...dateFilter(flags), ...utrFilter(flags.utr) };
  const filtered = Object.values(filter).some((v) => v !== undefined);
  const store = await session.store({ create: false });
  // A filtered export's manifest names its filter, so that verify can ask the store for the same entries; an unfiltered one is as it was.
  const named = filtered
    ? { filter: { utr: filter.utr ?? null, from: filter.from ?? null, to: filter.to ?? null, through: 0 } }
    : {};
  const manifest: Manifest = {
    count: 0,
    firstSeq: null,
    lastSeq: null,
    headHash: null,
    filtered,
    ...named,
    store: null,
  };
  let total = 0;
  const kept = [flags.out, manifestFile].filter((f): f is string => f !== undefined);
  const notKept = flags.out
    ? `none kept: ${kept.join(' and ')} left as ${kept.length > 1 ? 'they were' : 'it was'}`
    : 'with no manifest: what was written will not verify';
  const howFar = () => `the export is incomplete: ${manifest.count} of ${total} entries written, ${notKept}`;
  const stopped = () =>
    interruptedError({ value: 'export', detail: `after ${manifest.count} of ${total} entries, ${notKept}` });

  // Files are written whole or not at all: a failed or stopped export leaves them as they were.
  const files: WholeFile[] = [];
  try {
    const out = flags.out ? WholeFile.create(flags.out, '--out') : standardOutput(session.ui.stdout);
    if (out instanceof WholeFile) files.push(out);
    const manifestOut = manifestFile ? WholeFile.create(manifestFile, '--manifest') : undefined;
    if (manifestOut) files.push(manifestOut);
    await reading(
      session,
      async () => {
        // The entries there are now: those recorded while it runs are for the next export.
        const matching = await matchingContacts(store.db, filter);
        manifest.store = await storeIdentity(store.db);
        total = matching.count;
        if (manifest.filter) manifest.filter.through = matching.storeLastSeq;
        const scope = { ...filter, through: matching.lastSeq };
        if (format === 'jsonl') {
          // The database writes the lines; here they are counted into the manifest and passed on.
          for await (const chunk of exportLineChunks(store, scope)) {
            await out.write(chunk.text);
            manifest.count += chunk.lines;
            manifest.firstSeq ??= chunk.firstSeq;
            manifest.lastSeq = chunk.lastSeq;
            manifest.headHash = chunk.headHash;
            if (session.signal.aborted) throw stopped();
          }
          await out.write(`${manifestLine(manifest)}\n`);
        } else if (format === 'xlsx') {
          const workbook = new XlsxExport(out);
          for await (const entry of contactsInOrder(store.db, scope)) {
            workbook.add(entry);
            manifest.count++;
            manifest.firstSeq ??= entry.seq;
            manifest.lastSeq = entry.seq;
            manifest.headHash = entry.hash;
            if (session.signal.aborted) throw stopped();
          }
          await workbook.finish();
          await manifestOut!.write(`${manifestLine(manifest)}\n`);
        } else {
          await out.write(CSV_EXPORT_START + stringify([[...EXPORT_CSV_COLUMNS]], CELL_QUOTING));
          for await (const entry of contactsInOrder(store.db, scope)) {
            await out.write(stringify(exportCsvRows(entry), CELL_QUOTING));
            manifest.count++;
            manifest.firstSeq ??= entry.seq;
            manifest.lastSeq = entry.seq;
            manifest.headHash = entry.hash;
            if (session.signal.aborted) throw stopped();
          }
          await manifestOut!.write(`${manifestLine(manifest)}\n`);
        }
      },
      howFar,
    );
    // Both whole before either takes its name: an export and its manifest are replaced together.
    for (const file of files) await file.finish();
    for (const file of files) file.publish();
  } catch (error) {
    for (const file of files) file.discard();
    throw error;
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
