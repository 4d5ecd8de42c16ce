/** `registry import FILE` and `operators import FILE`: one shape, two loaders. */

import type { CommandResult } from './command-result.js';
import type { ReferenceImportSummary } from '../domain/outcomes.js';
import type { Session } from './session.js';
import { guardOutputs } from '../outputs/output-paths.js';
import {
  OPERATORS_LAYOUT,
  REGISTRY_LAYOUT,
  importOperators,
  importRegistry,
  readyReferenceFile,
} from '../import/reference-loader.js';
import { NO_MAP, loadColumnMap } from '../csv/header.js';
import { defaultRejectsPath } from '../outputs/rejects-file.js';
import { referenceImportCounts, summaryTable } from '../terminal/summary.js';

export interface ReferenceImportFlags {
  rejects?: string;
  encoding?: string;
  confirmEncoding?: boolean;
  delimiter?: string;
  map?: string;
}

async function referenceImport(
  session: Session,
  what: 'registry' | 'operators',
  file: string,
  flags: ReferenceImportFlags,
): Promise<CommandResult> {
  const rejectsPath = flags.rejects ?? defaultRejectsPath(file);
  guardOutputs([{ path: rejectsPath, flag: '--rejects' }], [file, flags.map]);
  const map = flags.map ? loadColumnMap(flags.map, what === 'registry' ? REGISTRY_LAYOUT : OPERATORS_LAYOUT) : NO_MAP;
  const ready = await readyReferenceFile(
    file,
    what,
    { encoding: flags.encoding, delimiter: flags.delimiter },
    map,
    Boolean(flags.confirmEncoding),
  );
  const store = await session.store();
  const options = { file, ...ready, map, rejectsPath, rejectsAlways: flags.rejects !== undefined };
  const summary: ReferenceImportSummary =
    what === 'registry' ? await importRegistry(store.db, options) : await importOperators(store.db, options);
  return {
    exitCode: summary.rowsRejected > 0 ? 1 : 0,
    json: summary,
    report: () =>
      summaryTable(
        session.ui,
        `${what === 'registry' ? 'Registry' : 'Operators'} import of ${file}`,
        referenceImportCounts(summary),
        summary.rejectsByCode,
        {},
        summary.rejectsFile,
      ),
  };
}

export const registryImport = (session: Session, file: string, flags: ReferenceImportFlags) =>
  referenceImport(session, 'registry', file, flags);

export const operatorsImport = (session: Session, file: string, flags: ReferenceImportFlags) =>
  referenceImport(session, 'operators', file, flags);
