/**
 * Loads reference data files: the CIS registry and operators
 *. Good rows are loaded, bad rows go to a rejects file with their
 * codes and lines. One transaction per file: a crash leaves the previous state.
 */

import type { Issue } from '../domain/catalogue.js';
import { normaliseUtr, parseUtr } from '../domain/utr.js';
import {
  type OperatorRecord,
  type RegistryRecord,
  checkOperatorRow,
  checkRegistryRow,
  mergeOperatorRows,
} from '../domain/reference-data.js';
import { splitList } from '../domain/contact.js';
import { type RecordKind, matchKind } from '../domain/vocabulary.js';
import type { CsvFormat } from '../csv/reader.js';
import { type ColumnMap, type FileLayout, NO_MAP } from '../csv/header.js';
import { csvRows } from '../csv/rows.js';
import { type DeclaredFormat, decideFormat } from '../csv/format.js';
import { checkWholeFile } from '../csv/file-check.js';
import { type FileSnapshot, assertUnchanged } from '../csv/file-snapshot.js';
import type { Database, Executor } from '../storage/database.js';
import type { ReferenceImportSummary } from '../domain/outcomes.js';
import { addMemberships, findKinds, saveOperators, saveRecords } from '../storage/reference-repository.js';
import { RejectsFile } from '../outputs/rejects-file.js';

export const REGISTRY_LAYOUT: FileLayout = {
  known: ['utr', 'name', 'kind', 'partner_of'],
  required: ['utr', 'name', 'kind'],
  vocabularies: { kind: matchKind },
};
export const OPERATORS_LAYOUT: FileLayout = {
  known: ['pid', 'name', 'roles', 'logins', 'roles_from', 'roles_to', 'leaving_date'],
  required: ['pid', 'name', 'roles'],
};

/**
 * A registry file and an operators file read with one map (`db restore
 * --map`): either file's columns may be named, and each file takes what
 * concerns its own header.
 */
export const REFERENCE_FILES_LAYOUT: FileLayout = {
  known: [...new Set([...REGISTRY_LAYOUT.known, ...OPERATORS_LAYOUT.known])],
  required: [],
  vocabularies: REGISTRY_LAYOUT.vocabularies,
};

export interface ReferenceImportOptions {
  file: string;
  format: Partial<CsvFormat>;
  /** Legacy headers and words (`--map`). */
  map?: ColumnMap;
  /** Where rejected rows go; none in a dry run. */
  rejectsPath?: string | undefined;
  rejectsAlways: boolean;
  /** The file as the whole-file check found it: nothing is committed if it has changed since. */
  unchanged?: FileSnapshot | undefined;
}

interface Loader<T> {
  layout: FileLayout;
  check(fields: Record<string, string>): { value: T | undefined; errors: Issue[] };
  save(executor: Executor, batch: T[]): Promise<void>;
  key(value: T): string;
  /** Later rows of the same key win within a batch. */
  merge?(earlier: T, later: T): T;
  /** Runs after every row is saved, in the same transaction. */
  finish?(executor: Executor): Promise<void>;
}

async function load<T>(
  db: Database,
  options: ReferenceImportOptions,
  loader: Loader<T>,
): Promise<ReferenceImportSummary> {
  const summary: ReferenceImportSummary = {
    file: options.file,
    rowsRead: 0,
    rowsAccepted: 0,
    rowsRejected: 0,
    rowsEmpty: 0,
    rejectsByCode: {},
    rejectsFile: null,
  };
  let rejects: RejectsFile | undefined;
  await db
    .transaction(async (tx) => {
      let batch = new Map<string, T>();
      const flush = async () => {
        if (batch.size > 0) await loader.save(tx, [...batch.values()]);
        batch = new Map();
      };
      const rows = csvRows(options.file, options.format, loader.layout, options.map ?? NO_MAP, {
        header: (header) => {
          if (options.rejectsPath)
            rejects = RejectsFile.forInput(options.rejectsPath, header.raw, options.rejectsAlways);
        },
        emptyRow: () => summary.rowsEmpty++,
      });
      for await (const row of rows) {
        summary.rowsRead++;
        const checked = loader.check(row.fields);
        const errors = [...row.issues, ...checked.errors];
        if (errors.length > 0 || checked.value === undefined) {
          summary.rowsRejected++;
          for (const code of new Set(errors.map((e) => e.code)))
            summary.rejectsByCode[code] = (summary.rejectsByCode[code] ?? 0) + 1;
          await rejects?.add(row.values, row.line, errors);
          continue;
        }
        summary.rowsAccepted++;
        const key = loader.key(checked.value);
        const earlier = batch.get(key);
        batch.set(key, earlier && loader.merge ? loader.merge(earlier, checked.value) : checked.value);
        if (batch.size >= 2000) await flush();
      }
      await flush();
      await loader.finish?.(tx);
      assertUnchanged(options.unchanged);
    })
    .finally(() => rejects?.close());
  if (rejects?.written) summary.rejectsFile = rejects.path;
  return summary;
}

/**
 * The kind of every UTR the file declares (the last row wins), and of every
 * stored UTR it names in partner_of, so memberships may come in either order.
 */
async function knownKinds(db: Database, options: ReferenceImportOptions): Promise<Map<string, RecordKind>> {
  const kinds = new Map<string, RecordKind>();
  const targets = new Set<string>();
  for await (const row of csvRows(options.file, options.format, REGISTRY_LAYOUT, options.map ?? NO_MAP, {
    header: () => {},
  })) {
    const utr = parseUtr(row.fields.utr);
    const kind = matchKind(row.fields.kind ?? '');
    if (utr.ok && kind) kinds.set(utr.utr, kind);
    for (const p of splitList(row.fields.partner_of)) targets.add(normaliseUtr(p));
  }
  const stored = await findKinds(
    db,
    [...targets].filter((t) => !kinds.has(t)),
  );
  for (const [utr, kind] of stored) kinds.set(utr, kind);
  return kinds;
}

/**
 * A registry or operators file made ready to load: its encoding and separator
 * decided from the file itself (a rejects file is UTF-8, whatever the log
 * next to it is in), then the whole file checked. The same for `registry
 * import` and `operators import` as for `import --registry/--operators`.
 */
export async function readyReferenceFile(
  file: string,
  what: 'registry' | 'operators',
  declared: DeclaredFormat,
  map: ColumnMap,
  confirmEncoding: boolean,
): Promise<Pick<ReferenceImportOptions, 'format' | 'unchanged'>> {
  const format = decideFormat(file, declared, what === 'registry' ? REGISTRY_LAYOUT : OPERATORS_LAYOUT, map);
  return { format, unchanged: await checkWholeFile(file, { format, confirmEncoding }) };
}

export async function importRegistry(db: Database, options: ReferenceImportOptions): Promise<ReferenceImportSummary> {
  const kinds = await knownKinds(db, options);
  // Added once every record is stored: a partnership may be declared after its partners.
  const memberships: { partnershipUtr: string; partnerUtr: string }[] = [];
  return load<RegistryRecord>(db, options, {
    layout: REGISTRY_LAYOUT,
    check: (fields) => checkRegistryRow(fields, (utr) => kinds.get(utr)),
    save: async (executor, batch) => {
      await saveRecords(executor, batch);
      for (const r of batch) for (const p of r.partnerOf) memberships.push({ partnershipUtr: p, partnerUtr: r.utr });
    },
    key: (r) => r.utr,
    merge: (earlier, later) => ({ ...later, partnerOf: [...new Set([...earlier.partnerOf, ...later.partnerOf])] }),
    finish: (executor) => addMemberships(executor, memberships),
  });
}

/**
 * Each row of a PID is one period of its roles, wherever in the file it
 * stands, so every row is gathered before any PID is saved: a PID's stored
 * roles and periods become the file's. Operators files are small.
 * `earlier`: the rows of the files loaded before this one in the same run
 * (several `--operators`), so a PID's periods may be spread over them.
 */
export async function importOperators(
  db: Database,
  options: ReferenceImportOptions,
  earlier = new Map<string, OperatorRecord>(),
): Promise<ReferenceImportSummary> {
  const all = new Map<string, OperatorRecord>();
  return load<OperatorRecord>(db, options, {
    layout: OPERATORS_LAYOUT,
    check: (fields) => checkOperatorRow(fields),
    save: async (_executor, batch) => {
      for (const o of batch) {
        const before = all.get(o.pid) ?? earlier.get(o.pid);
        all.set(o.pid, before ? mergeOperatorRows(before, o) : o);
      }
    },
    key: (o) => o.pid,
    merge: mergeOperatorRows,
    finish: async (executor) => {
      await saveOperators(executor, [...all.values()]);
      for (const [pid, o] of all) earlier.set(pid, o);
    },
  });
}
