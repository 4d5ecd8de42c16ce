import type { CommandResult } from './command-result.js';
import type { Session } from './session.js';
import { NO_MAP, loadColumnMap } from '../csv/header.js';
import { decideFormat } from '../csv/format.js';
import { type Output, guardOutputs } from '../outputs/output-paths.js';
import { CONTACT_LOG_LAYOUT, checkLogFile } from '../import/contact-log.js';
import { importContacts } from '../import/contact-import.js';
import { ReferenceLoad, eachSummary, referenceFiles } from './reference-files.js';
import { type ProgressStyle, progressReporter } from '../terminal/progress.js';
import { defaultRejectsPath } from '../outputs/rejects-file.js';
import { contactImportCounts, referenceImportCounts, summaryTable } from '../terminal/summary.js';
import { CisError, withProgress } from '../domain/errors.js';
import { asStorageFailure } from '../storage/database-errors.js';
import type { DateOrder } from '../domain/dates.js';

export interface ImportFlags {
  rejects?: string;
  dryRun?: boolean;
  strict?: boolean;
  encoding?: string;
  confirmEncoding?: boolean;
  delimiter?: string;
  warnings?: string;
  outcomes?: string;
  map?: string;
  registry?: string[];
  operators?: string[];
  progress?: ProgressStyle;
  dateOrder?: DateOrder;
  keepApostrophes?: boolean;
}

export async function importCommand(session: Session, file: string, flags: ImportFlags): Promise<CommandResult> {
  const confirmEncoding = Boolean(flags.confirmEncoding);
  // A dry run writes only the files it is told to write.
  const dryRun = Boolean(flags.dryRun);
  const rejectsPath = flags.rejects ?? (dryRun ? undefined : defaultRejectsPath(file));
  const references = referenceFiles(flags);
  const referenceRejects = (path: string) => (dryRun ? undefined : defaultRejectsPath(path));
  const outputs: Output[] = [
    ...(rejectsPath ? [{ path: rejectsPath, flag: '--rejects' }] : []),
    ...(flags.warnings ? [{ path: flags.warnings, flag: '--warnings' }] : []),
    ...(flags.outcomes ? [{ path: flags.outcomes, flag: '--outcomes' }] : []),
    ...references.flatMap((r) => (referenceRejects(r) ? [{ path: referenceRejects(r)! }] : [])),
  ];
  guardOutputs(outputs, [file, flags.map, ...references]);
  const map = flags.map ? loadColumnMap(flags.map, CONTACT_LOG_LAYOUT) : NO_MAP;
  // Each file's encoding and separator are its own; --delimiter and --map are the log's.
  const format = decideFormat(file, { encoding: flags.encoding, delimiter: flags.delimiter }, CONTACT_LOG_LAYOUT, map);
  // Anything fatal in any input must stop the run before --registry or --operators write anything.
  const dateOrder = flags.dateOrder ?? 'dmy';
  const unchanged = await checkLogFile(file, { format, confirmEncoding }, map, dateOrder);
  const referenceLoad = new ReferenceLoad(flags, NO_MAP);
  await referenceLoad.check({ encoding: flags.encoding }, confirmEncoding);
  const store = await session.store();
  const { summaries: reference, rejected: referenceRejected } = await referenceLoad.load(store.db, referenceRejects);

  const progress = progressReporter(session.ui, file, flags.progress);
  let rowsDone = 0;
  let summary;
  try {
    summary = await importContacts(store, {
      file,
      format,
      map,
      unchanged,
      rejectsPath,
      warningsPath: flags.warnings,
      outcomesPath: flags.outcomes,
      // Written even with no rejects when given, so a stale one is never read as this run's; a dry run writes only what it found.
      rejectsAlways: flags.rejects !== undefined && !dryRun,
      dryRun,
      keepApostrophes: Boolean(flags.keepApostrophes),
      settings: { ...session.rules(Boolean(flags.strict)), dateOrder },
      signal: session.signal,
      chain: session.chainWait(store),
      onProgress: (so) => {
        rowsDone = so.rowsRead;
        progress.update(so);
      },
      // Smaller batches make crash tests cross many commits; not a user setting.
      ...(session.env.CIS_CONTACT_BATCH_ROWS ? { batchRows: Number(session.env.CIS_CONTACT_BATCH_ROWS) } : {}),
    });
  } catch (error) {
    const failure = asStorageFailure(error, store.location, session.role) ?? error;
    if (!(failure instanceof CisError) || failure.kind !== 'storage') throw failure;
    const done = flags.dryRun
      ? 'a dry run: nothing was written'
      : rowsDone === 0
        ? `nothing of ${file} was committed`
        : `the first ${rowsDone} rows of ${file} were committed before it`;
    throw withProgress(failure, done);
  } finally {
    progress.stop();
  }
  return {
    exitCode: summary.rowsRejected > 0 || referenceRejected ? 1 : 0,
    json: { ...summary, ...reference },
    report: () => {
      for (const [what, r] of eachSummary(reference)) {
        summaryTable(
          session.ui,
          `${what === 'registry' ? 'Registry' : 'Operators'} ${r.file}`,
          referenceImportCounts(r),
          r.rejectsByCode,
          {},
          r.rejectsFile,
        );
      }
      summaryTable(
        session.ui,
        `${summary.dryRun ? 'Dry run (nothing written) of' : 'Import of'} ${file}`,
        contactImportCounts(summary),
        summary.rejectsByCode,
        summary.warningsByCode,
        summary.rejectsFile,
      );
      if (summary.outcomesFile) session.ui.say(`The outcome of every row: ${summary.outcomesFile}`);
      if (summary.dryRun && summary.rowsRejected > 0 && !summary.rejectsFile) {
        session.ui.say(
          'A dry run writes no rejects file: add --rejects PATH to see the rejected rows with their reasons.',
        );
      }
      for (const run of summary.closedRuns ?? []) {
        session.ui.talk(
          `Closed import run ${run.id} (${run.file}) as interrupted: its process had ended before it finished, after storing ${run.contactsWritten} contact${run.contactsWritten === 1 ? '' : 's'}.`,
        );
      }
      if (summary.interrupted) {
        session.ui.talk(
          `Interrupted after ${summary.rowsRead} rows, all of them committed. Run the same command again to complete the import: nothing is stored twice.`,
        );
      }
    },
  };
}
