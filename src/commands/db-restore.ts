import type { CommandResult } from './command-result.js';
import type { Session } from './session.js';
import { openExport } from '../outputs/export-reader.js';
import { importOperators, importRegistry } from '../import/reference-loader.js';
import type { ReferenceImportSummary } from '../domain/outcomes.js';
import { defaultRejectsPath } from '../outputs/rejects-file.js';
import { restoreHistory } from '../storage/restore.js';

export interface RestoreFlags {
  registry?: string;
  operators?: string;
}

export async function dbRestore(session: Session, file: string, flags: RestoreFlags): Promise<CommandResult> {
  const exported = await openExport(file);
  const store = await session.store();
  const reference: { registry?: ReferenceImportSummary; operators?: ReferenceImportSummary } = {};
  const referenceOptions = (path: string) => ({ file: path, format: { encoding: 'utf-8' as const }, rejectsPath: defaultRejectsPath(path), rejectsAlways: false });
  if (flags.registry) reference.registry = await importRegistry(store.db, referenceOptions(flags.registry));
  if (flags.operators) reference.operators = await importOperators(store.db, referenceOptions(flags.operators));
  const summary = await restoreHistory(store, file, exported.entries, exported.manifest, session.signal);
  return {
    exitCode: 0,
    json: { ...summary, file, location: store.location, ...reference },
    report: () => {
      const ui = session.ui;
      ui.say(`Restored ${summary.restored} contact${summary.restored === 1 ? '' : 's'} from ${file} into ${store.location}.`);
      if (summary.lastSeq !== null) ui.say(`  seq ${summary.firstSeq} to ${summary.lastSeq}, head ${summary.headHash} (verified as loaded)`);
      const writers = Object.entries(summary.recordedBy).map(([login, n]) => `${login === '' ? 'no login (recorded before logins were kept)' : login} ${n}`);
      if (writers.length > 0) ui.say(`  recorded by, as each entry says: ${writers.join(', ')}`);
      if (summary.recordedBy.postgres && store.driver === 'postgres') {
        ui.say('  entries recorded by postgres may come from an embedded store, whose one user is called postgres: that is not this server\'s postgres login');
      }
    },
  };
}
