import type { CommandResult } from '../cli/exit-handler.js';
import type { Session } from '../cli/session.js';
import { NO_MAP, loadColumnMap } from '../csv/header.js';
import { parseEncoding } from '../csv/reader.js';
import { checkWholeFile } from '../csv/file-check.js';
import type { FileSnapshot } from '../csv/file-snapshot.js';
import { type Output, guardOutputs, isRejectsFile } from '../reporting/output-paths.js';
import { CONTACT_LOG_LAYOUT, checkLogFile } from '../import/contact-log.js';
import { importContacts } from '../import/contact-import.js';
import { type ReferenceImportSummary, importOperators, importRegistry } from '../import/reference-import.js';
import { progressReporter } from '../reporting/progress.js';
import { defaultRejectsPath } from '../reporting/rejects-file.js';
import { summaryTable } from '../reporting/summary.js';
import { CisError, withProgress } from '../domain/errors.js';
import { asStorageFailure } from '../storage/errors.js';

export interface ImportFlags {
  rejects?: string;
  dryRun?: boolean;
  strict?: boolean;
  encoding?: string;
  confirmEncoding?: boolean;
  warnings?: string;
  map?: string;
  registry?: string;
  operators?: string;
}

export async function importCommand(session: Session, file: string, flags: ImportFlags): Promise<CommandResult> {
  const declared = parseEncoding(flags.encoding);
  // A rejects file is always UTF-8 (it says so with a byte-order mark), whatever the first file was.
  const encoding = isRejectsFile(file) ? 'utf-8' : declared;
  const check = { encoding, confirmEncoding: Boolean(flags.confirmEncoding) };
  // A dry run writes only the files it is told to write.
  const dryRun = Boolean(flags.dryRun);
  const rejectsPath = flags.rejects ?? (dryRun ? undefined : defaultRejectsPath(file));
  const references = [flags.registry, flags.operators].filter((f): f is string => f !== undefined);
  const referenceRejects = (path: string) => (dryRun ? undefined : defaultRejectsPath(path));
  const outputs: Output[] = [
    ...(rejectsPath ? [{ path: rejectsPath, flag: '--rejects' }] : []),
    ...(flags.warnings ? [{ path: flags.warnings, flag: '--warnings' }] : []),
    ...references.flatMap((r) => (referenceRejects(r) ? [{ path: referenceRejects(r)! }] : [])),
  ];
  guardOutputs(outputs, [file, flags.map, ...references]);
  const map = flags.map ? loadColumnMap(flags.map, CONTACT_LOG_LAYOUT) : NO_MAP;
  // Anything fatal in any input must stop the run before --registry or --operators write anything.
  const unchanged = await checkLogFile(file, check, map);
  const snapshots = new Map<string, FileSnapshot | undefined>();
  for (const reference of references) snapshots.set(reference, await checkWholeFile(reference, check));
  const store = await session.store();
  const reference: { registry?: ReferenceImportSummary; operators?: ReferenceImportSummary } = {};
  const referenceOptions = (path: string) => ({
    file: path, encoding: declared, rejectsPath: referenceRejects(path), rejectsAlways: false, unchanged: snapshots.get(path),
  });
  if (flags.registry) reference.registry = await importRegistry(store.db, referenceOptions(flags.registry));
  if (flags.operators) reference.operators = await importOperators(store.db, referenceOptions(flags.operators));

  const progress = progressReporter(session.ui, file);
  let rowsDone = 0;
  let summary;
  try {
    summary = await importContacts(store, {
      file, encoding, map, unchanged,
      rejectsPath,
      warningsPath: flags.warnings,
      rejectsAlways: flags.rejects !== undefined,
      dryRun,
      settings: session.rules(Boolean(flags.strict)),
      signal: session.signal,
      onProgress: (rows, bytes) => {
        rowsDone = rows;
        progress.update(rows, bytes);
      },
      // Smaller batches make crash tests cross many commits; not a user setting.
      ...(process.env.CIS_CONTACT_BATCH_ROWS ? { batchRows: Number(process.env.CIS_CONTACT_BATCH_ROWS) } : {}),
    });
  } catch (error) {
    const failure = asStorageFailure(error, store.location, session.role) ?? error;
    if (!(failure instanceof CisError) || failure.kind !== 'storage') throw failure;
    const done = flags.dryRun ? 'a dry run: nothing was written'
      : rowsDone === 0 ? `nothing of ${file} was committed` : `the first ${rowsDone} rows of ${file} were committed before it`;
    throw withProgress(failure, done);
  } finally {
    progress.stop();
  }
  const referenceRejected = Object.values(reference).some((r) => r.rowsRejected > 0);
  return {
    exitCode: summary.rowsRejected > 0 || referenceRejected ? 1 : 0,
    json: { ...summary, ...reference },
    report: () => {
      for (const [what, r] of Object.entries(reference)) {
        summaryTable(session.ui, `${what === 'registry' ? 'Registry' : 'Operators'} ${r.file}`, [
          ['rows read', r.rowsRead], ['accepted', r.rowsAccepted], ['rejected', r.rowsRejected],
        ], r.rejectsByCode, {}, r.rejectsFile);
      }
      summaryTable(session.ui, `${summary.dryRun ? 'Dry run (nothing written) of' : 'Import of'} ${file}`, [
        ['rows read', summary.rowsRead],
        ['accepted', summary.rowsAccepted],
        ['duplicate', summary.rowsDuplicate],
        ['rejected', summary.rowsRejected],
        [summary.dryRun ? 'contacts to write' : 'contacts written', summary.contactsWritten],
        [summary.dryRun ? 'enquiries to write' : 'enquiries written', summary.enquiriesWritten],
      ], summary.rejectsByCode, summary.warningsByCode, summary.rejectsFile);
      if (summary.interrupted) {
        session.ui.talk(`Interrupted after ${summary.rowsRead} rows, all of them committed. Run the same command again to complete the import: nothing is stored twice.`);
      }
    },
  };
}
