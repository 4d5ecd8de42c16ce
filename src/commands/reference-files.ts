/**
 * The registry and operators files an `import` or a `db restore` loads
 * first, in the same run: `--registry` and `--operators` may each be given
 * several times. Registry files load in the order given (a later one may
 * name a partnership an earlier one declared), then operators files, whose
 * rows of one PID add up across the files as within one.
 */

import type { ReferenceImportSummary } from '../domain/outcomes.js';
import type { OperatorRecord } from '../domain/reference-data.js';
import type { ColumnMap } from '../csv/header.js';
import type { DeclaredFormat } from '../csv/format.js';
import type { Database } from '../storage/database.js';
import {
  type ReferenceImportOptions,
  importOperators,
  importRegistry,
  readyReferenceFile,
} from '../import/reference-loader.js';

export interface ReferenceFlags {
  registry?: string[] | undefined;
  operators?: string[] | undefined;
}

/** One file's summary as before; a list of them when the option was given several times. */
export type ReferenceSummaries = {
  registry?: ReferenceImportSummary | ReferenceImportSummary[];
  operators?: ReferenceImportSummary | ReferenceImportSummary[];
};

type Kind = 'registry' | 'operators';

export function referenceFiles(flags: ReferenceFlags): string[] {
  return [...(flags.registry ?? []), ...(flags.operators ?? [])];
}

/** Each file's encoding and separator, and the whole-file checks: anything fatal in any of them stops the run before one is loaded. */
export class ReferenceLoad {
  private readonly ready = new Map<string, Pick<ReferenceImportOptions, 'format' | 'unchanged'>>();

  constructor(
    private readonly flags: ReferenceFlags,
    private readonly map: ColumnMap,
  ) {}

  async check(declared: DeclaredFormat, confirmEncoding: boolean): Promise<void> {
    for (const [kind, files] of this.kinds()) {
      for (const file of files)
        this.ready.set(file, await readyReferenceFile(file, kind, declared, this.map, confirmEncoding));
    }
  }

  /** Loads every file, each in its own transaction; `rejectsPathOf` says where a file's rejected rows go (none in a dry run). */
  async load(
    db: Database,
    rejectsPathOf: (file: string) => string | undefined,
  ): Promise<{ summaries: ReferenceSummaries; rejected: boolean }> {
    const summaries: ReferenceSummaries = {};
    let rejected = false;
    const operatorsSoFar = new Map<string, OperatorRecord>();
    for (const [kind, files] of this.kinds()) {
      const list: ReferenceImportSummary[] = [];
      for (const file of files) {
        const options: ReferenceImportOptions = {
          file,
          ...this.ready.get(file)!,
          map: this.map,
          rejectsPath: rejectsPathOf(file),
          rejectsAlways: false,
        };
        const summary =
          kind === 'registry' ? await importRegistry(db, options) : await importOperators(db, options, operatorsSoFar);
        rejected ||= summary.rowsRejected > 0;
        list.push(summary);
      }
      if (list.length > 0) summaries[kind] = list.length === 1 ? list[0]! : list;
    }
    return { summaries, rejected };
  }

  private kinds(): [Kind, string[]][] {
    return [
      ['registry', this.flags.registry ?? []],
      ['operators', this.flags.operators ?? []],
    ];
  }
}

/** Every summary, one a file, for a report. */
export function eachSummary(summaries: ReferenceSummaries): [Kind, ReferenceImportSummary][] {
  const out: [Kind, ReferenceImportSummary][] = [];
  for (const kind of ['registry', 'operators'] as const) {
    const s = summaries[kind];
    for (const one of s === undefined ? [] : Array.isArray(s) ? s : [s]) out.push([kind, one]);
  }
  return out;
}
