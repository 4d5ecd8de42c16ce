import type { CommandResult } from './command-result.js';
import type { Session } from './session.js';
import { openExport } from '../outputs/export-reader.js';
import { REFERENCE_FILES_LAYOUT } from '../import/reference-loader.js';
import { NO_MAP, loadColumnMap } from '../csv/header.js';
import { defaultRejectsPath } from '../outputs/rejects-file.js';
import { guardOutputs } from '../outputs/output-paths.js';
import { restoreHistory } from '../storage/restore.js';
import { type ReferenceFlags, ReferenceLoad, referenceFiles } from './reference-files.js';

export interface RestoreFlags extends ReferenceFlags {
  /** The registry's and operators files' legacy headers and words. */
  map?: string;
}

export async function dbRestore(session: Session, file: string, flags: RestoreFlags): Promise<CommandResult> {
  const references = referenceFiles(flags);
  guardOutputs(
    references.map((path) => ({ path: defaultRejectsPath(path) })),
    [file, flags.map, ...references],
  );
  const map = flags.map ? loadColumnMap(flags.map, REFERENCE_FILES_LAYOUT) : NO_MAP;
  // Every file is checked whole before anything is loaded or read from the export.
  const referenceLoad = new ReferenceLoad(flags, map);
  await referenceLoad.check({}, false);
  const exported = await openExport(file);
  const store = await session.store();
  const { summaries: reference } = await referenceLoad.load(store.db, defaultRejectsPath);
  const summary = await restoreHistory(store, file, exported.entries, exported.manifest, session.signal);
  return {
    exitCode: 0,
    json: { ...summary, file, location: store.location, ...reference },
    report: () => {
      const ui = session.ui;
      ui.say(
        `Restored ${summary.restored} contact${summary.restored === 1 ? '' : 's'} from ${file} into ${store.location}.`,
      );
      if (summary.lastSeq !== null)
        ui.say(`  seq ${summary.firstSeq} to ${summary.lastSeq}, head ${summary.headHash} (verified as loaded)`);
      const writers = Object.entries(summary.recordedBy).map(
        ([login, n]) => `${login === '' ? 'no login (recorded before logins were kept)' : login} ${n}`,
      );
      if (writers.length > 0) ui.say(`  recorded by, as each entry says: ${writers.join(', ')}`);
      if (summary.recordedBy.postgres && store.driver === 'postgres') {
        ui.say(
          "  entries recorded by postgres may come from an embedded store, whose one user is called postgres: that is not this server's postgres login",
        );
      }
    },
  };
}
