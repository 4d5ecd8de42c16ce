/**
 * Header mapping: names matched case-insensitively after trimming,
 * spaces and hyphens read as underscores; `--map` renames or drops columns,
 * and translates a legacy system's words in enumerated columns;
 * the rejects file's own columns are ignored so a corrected one imports as it is;
 * a blank header is dropped while its cells are blank. Anything unknown is
 * fatal before a row is read: a misspelt column must never be dropped silently.
 */

import { readFileSync } from 'node:fs';
import { type Issue, issue } from '../domain/catalogue.js';
import { inputError, inputErrorOf } from '../domain/errors.js';
import { whyUnreadable } from './reader.js';

export interface FileLayout {
  known: readonly string[];
  required: readonly string[];
  /** Columns with a fixed vocabulary: each word's canonical spelling, or undefined for a word the rules refuse. */
  vocabularies?: Readonly<Record<string, (word: string) => string | undefined>>;
  /**
   * Columns whose legacy words may mean one thing on some rows and another on
   * others, by the canonical value of another column (a direction, by the
   * channel), and whether the rules accept a word beside that value.
   */
  valuesBy?: Readonly<Record<string, { by: string; accepts(word: string, byValue: string): boolean }>>;
}

/** A value map: a legacy word (trimmed, lower case) to the canonical word it means. */
type ValueMap = ReadonlyMap<string, string>;

export interface ColumnMap {
  /** Legacy header (normalised) to column, or null to drop it. */
  columns: ReadonlyMap<string, string | null>;
  /** Per column: its legacy words. */
  values: ReadonlyMap<string, ValueMap>;
  /** Per column: legacy words that hold only on rows where another column has a value (layout's `valuesBy`). */
  valuesBy?: ReadonlyMap<string, WordsBy>;
}

/** Legacy words by another column's canonical value: `tables.get(channel).get(word)`. */
interface WordsBy {
  by: string;
  tables: ReadonlyMap<string, ValueMap>;
}

export const NO_MAP: ColumnMap = { columns: new Map(), values: new Map() };

export interface ResolvedHeader {
  /** The header as written, for the rejects file. */
  raw: string[];
  /** Per column: the field it fills (and its legacy words), or 'ignored' (a reject column, or mapped to null), or 'blank'. */
  columns: ({ field: string; words?: ValueMap; wordsBy?: WordsByColumn } | { ignored: true } | { blank: true })[];
  /** The file is a rejects file brought back. */
  rejectsFile: boolean;
}

export function normaliseHeaderName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

/** The columns a rejects file ends with. */
export const REJECT_COLUMNS = ['reject_line', 'reject_codes', 'reject_reasons'] as const;

/** In a rejects file of a rejects file: the row's line in the very first file. */
export const SOURCE_LINE_COLUMN = 'reject_source_line';

const TOOL_COLUMNS: ReadonlySet<string> = new Set([...REJECT_COLUMNS, SOURCE_LINE_COLUMN]);

/**
 * A rejects file's own columns: ignored on input, replaced in the next rejects
 * file. Only these four: any other header that starts with "reject" (`Reject
 * Notes`) is the file's own column, never dropped silently.
 */
export function isRejectColumn(name: string): boolean {
  return TOOL_COLUMNS.has(normaliseHeaderName(name));
}

/**
 * For a header with a rejects file's line columns: a row's line in the very
 * first file, as written (`reject_source_line`, else `reject_line`).
 */
export function firstFileLineReader(
  rawHeader: readonly string[],
): ((values: readonly string[]) => string | undefined) | undefined {
  const names = rawHeader.map(normaliseHeaderName);
  const columns = [names.indexOf(SOURCE_LINE_COLUMN), names.indexOf('reject_line')].filter((i) => i >= 0);
  if (columns.length === 0) return undefined;
  return (values) => {
    for (const i of columns) {
      const cell = (values[i] ?? '').trim();
      if (cell !== '') return cell;
    }
    return undefined;
  };
}

/** A header that holds the reject columns is a rejects file's (read as UTF-8 when it starts with its byte-order mark). */
export function isRejectsHeader(names: readonly string[]): boolean {
  const normal = new Set(names.map(normaliseHeaderName));
  return REJECT_COLUMNS.every((c) => normal.has(c));
}

/**
 * `--map FILE`: `{"Legacy header": "column", "Column to drop": null}`, or
 * `{"columns": {…}, "values": {"channel": {"Tel In": "phone-inbound"}}}`.
 * Every translation must land on a word the rules accept, checked here,
 * before anything is read.
 */
/** Words by another column, as a header places it: where that column stands and how its words are read. */
interface WordsByColumn {
  index: number;
  read: (word: string) => string | undefined;
  tables: ReadonlyMap<string, ValueMap>;
}

export function loadColumnMap(path: string, layout: FileLayout): ColumnMap {
  const fail = (detail: string) => inputError('map-invalid', { value: path, detail });
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw inputError(
      'file-unreadable',
      { value: `the column map ${path}`, detail: whyUnreadable(error as NodeJS.ErrnoException) },
      'give --map the path of a JSON file: {"Legacy header": "column", "Column to drop": null}',
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw fail(`it is not valid JSON: ${jsonErrorWhere(text, (error as Error).message)}`);
  }
  const isObject = (x: unknown): x is Record<string, unknown> =>
    x !== null && typeof x === 'object' && !Array.isArray(x);
  if (!isObject(parsed)) throw fail('it must be a JSON object of {"legacy header": "column" or null}');
  const structured =
    Object.keys(parsed).length > 0 && Object.keys(parsed).every((k) => k === 'columns' || k === 'values');
  const columnsPart = structured ? (parsed.columns ?? {}) : parsed;
  const valuesPart = structured ? (parsed.values ?? {}) : {};
  if (!isObject(columnsPart) || !isObject(valuesPart)) throw fail('"columns" and "values" must be JSON objects');
  const columns = new Map<string, string | null>();
  for (const [from, to] of Object.entries(columnsPart)) {
    if (to !== null && typeof to !== 'string') throw fail(`the value for "${from}" must be a column name or null`);
    const target = to === null ? null : normaliseHeaderName(to);
    if (target !== null && !layout.known.includes(target)) {
      throw fail(`"${from}" maps to "${to}", which is not a column (${layout.known.join(', ')})`);
    }
    columns.set(normaliseHeaderName(from), target);
  }
  const values = new Map<string, ValueMap>();
  const valuesBy = new Map<string, WordsBy>();
  for (const [column, words] of Object.entries(valuesPart)) {
    const field = normaliseHeaderName(column);
    const vocabulary = layout.vocabularies?.[field];
    if (!vocabulary) {
      const fixed = Object.keys(layout.vocabularies ?? {});
      throw fail(
        fixed.length > 0
          ? `values of "${column}" cannot be translated: only the columns with a fixed vocabulary can (${fixed.join(', ')}); take "${column}" out of "values", and write its words in the file as they should be stored`
          : `values of "${column}" cannot be translated: this file has no column with a fixed vocabulary, so its map takes no "values"; take them out, and write the words in the file as the rules spell them`,
      );
    }
    if (!isObject(words)) throw fail(`"values"."${column}" must be a JSON object of {"legacy word": "${field} word"}`);
    const table = new Map<string, string>();
    const tables = new Map<string, ValueMap>();
    const by = layout.valuesBy?.[field];
    for (const [legacy, meant] of Object.entries(words)) {
      if (by && isObject(meant)) {
        tables.set(...wordsOnRowsBy(legacy, meant, field, by, layout, fail));
        continue;
      }
      const canonical = typeof meant === 'string' ? vocabulary(meant) : undefined;
      if (!canonical)
        throw fail(
          `${column} "${legacy}" translates into ${JSON.stringify(meant)}, which is not a ${field} the rules accept`,
        );
      table.set(legacy.trim().toLowerCase(), canonical);
    }
    values.set(field, table);
    if (by && tables.size > 0) valuesBy.set(field, { by: by.by, tables });
  }
  return { columns, values, valuesBy };
}

/**
 * `"direction": {"internal-enquiry": {"Inbound": "Outbound"}}`: words that hold
 * on the rows whose `by` column (the channel) has that value, each checked
 * against the rules beside it.
 */
function wordsOnRowsBy(
  key: string,
  words: Record<string, unknown>,
  field: string,
  by: NonNullable<FileLayout['valuesBy']>[string],
  layout: FileLayout,
  fail: (detail: string) => Error,
): [string, ValueMap] {
  const byValue = layout.vocabularies?.[by.by]?.(key);
  if (!byValue)
    throw fail(
      `"values"."${field}"."${key}" holds words for the rows of a ${by.by}, but "${key}" is not a ${by.by} the rules accept`,
    );
  const vocabulary = layout.vocabularies![field]!;
  const table = new Map<string, string>();
  for (const [legacy, meant] of Object.entries(words)) {
    const canonical = typeof meant === 'string' ? vocabulary(meant) : undefined;
    if (!canonical)
      throw fail(
        `${field} "${legacy}" on ${by.by} ${byValue} translates into ${JSON.stringify(meant)}, which is not a ${field} the rules accept`,
      );
    if (!by.accepts(canonical, byValue))
      throw fail(
        `${field} "${legacy}" on ${by.by} ${byValue} translates into ${canonical}, which the rules refuse beside ${byValue}`,
      );
    table.set(legacy.trim().toLowerCase(), canonical);
  }
  return [byValue, table];
}

/** A JSON.parse error, placed by line and column (Node says only "at position N"). */
function jsonErrorWhere(text: string, message: string): string {
  const at = /at position (\d+)/.exec(message);
  const reason = message.replace(/ in JSON at position \d+.*$/s, '').replace(/ \(line \d+ column \d+\)$/, '');
  const position = at ? Number(at[1]) : text.length;
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return `${reason}, at line ${line}, column ${column}`;
}

export function resolveHeader(raw: string[], layout: FileLayout, map: ColumnMap = NO_MAP): ResolvedHeader {
  const problems: Issue[] = [];
  const unknown: string[] = [];
  /** Each column filled so far, and the header that fills it. */
  const seen = new Map<string, string>();
  const columns = raw.map((name): ResolvedHeader['columns'][number] => {
    const normal = normaliseHeaderName(name);
    const mapped = map.columns.has(normal) ? map.columns.get(normal)! : undefined;
    if (mapped === null) return { ignored: true };
    const field = mapped ?? normal;
    if (mapped === undefined && isRejectColumn(name)) return { ignored: true };
    if (field === '') return { blank: true };
    if (!layout.known.includes(field)) {
      unknown.push(name.trim());
      return { ignored: true };
    }
    const earlier = seen.get(field);
    if (earlier !== undefined) {
      const viaMap = normaliseHeaderName(earlier) !== field || mapped !== undefined;
      problems.push(
        issue('duplicate-column', {
          field,
          ...(viaMap
            ? {
                detail: `the map sends both "${earlier}" and "${name.trim()}" to it; map one of them to null, or to another column`,
              }
            : {}),
        }),
      );
    }
    seen.set(field, name.trim());
    const words = map.values.get(field);
    return words ? { field, words } : { field };
  });
  for (const [field, wordsBy] of map.valuesBy ?? []) {
    const column = columns.find((c) => 'field' in c && c.field === field) as
      { field: string; wordsBy?: WordsByColumn } | undefined;
    const index = columns.findIndex((c) => 'field' in c && c.field === wordsBy.by);
    const byColumn = columns[index] as { words?: ValueMap } | undefined;
    const vocabulary = layout.vocabularies?.[wordsBy.by];
    if (!column || !byColumn || !vocabulary) continue;
    // The other column is read as the rules read it: its own legacy words first.
    const read = (word: string) => vocabulary(byColumn.words?.get(word.trim().toLowerCase()) ?? word);
    column.wordsBy = { index, read, tables: wordsBy.tables };
  }
  if (unknown.length > 0)
    problems.unshift(issue('unknown-column', { field: unknown.join(', '), length: unknown.length }));
  for (const field of layout.required) if (!seen.has(field)) problems.push(issue('missing-column', { field }));
  const [first, ...more] = problems;
  if (first) throw inputErrorOf([first, ...more], unknown.length > 0 ? unknownColumnsHint(raw, layout) : undefined);
  return { raw, columns, rejectsFile: isRejectsHeader(raw) };
}

/** What to do about columns the file may not have: the known ones, once, and how --map names the others. */
function unknownColumnsHint(raw: readonly string[], layout: FileLayout): string {
  const oneColumn =
    raw.length === 1 && /[;\t,|]/.test(raw[0]!)
      ? 'the header reads as one column: if the file is separated by something else, give it with --delimiter; otherwise, '
      : '';
  return `${oneColumn}the known columns are ${layout.known.join(', ')}; a --map FILE renames a legacy header ({"Legacy header": "${layout.known[layout.known.length - 1]}"}) or drops a column ({"Column to drop": null})`;
}

/**
 * Where `field` stands in a header, read as resolveHeader reads it (the map,
 * the reject columns), for a check that runs before the header is resolved:
 * undefined where no column fills it. Never fails; resolveHeader does.
 */
export function columnIndexOf(raw: readonly string[], field: string, map: ColumnMap = NO_MAP): number | undefined {
  const index = raw.findIndex((name) => {
    const normal = normaliseHeaderName(name);
    const mapped = map.columns.get(normal);
    if (mapped === null || (mapped === undefined && isRejectColumn(name))) return false;
    return (mapped ?? normal) === field;
  });
  return index === -1 ? undefined : index;
}

/** Shared by every row without a problem of its shape: read only, never added to. */
const NO_ISSUES: readonly Issue[] = Object.freeze([]);

/** Problems of a row's shape under its header: a value under a blank header, or too many or too few cells (`row-shape`). */
export function shapeIssues(values: readonly string[], header: ResolvedHeader): readonly Issue[] {
  let issues: Issue[] | undefined;
  if (values.length !== header.columns.length) {
    (issues ??= []).push(issue('row-shape', { length: values.length, limit: header.columns.length }));
  }
  const n = Math.min(values.length, header.columns.length);
  for (let i = 0; i < n; i++) {
    if ('blank' in header.columns[i]! && values[i]!.trim() !== '') {
      (issues ??= []).push(
        issue('row-shape', {
          length: values.length,
          limit: header.columns.length,
          detail: `a value stands under the blank header of column ${i + 1}`,
        }),
      );
    }
  }
  return issues ?? NO_ISSUES;
}

/** A row's value of one field, by the column the header gives it, a legacy word read as what it means. */
export type FieldReader = (values: readonly string[]) => string | undefined;

/**
 * How to read `field` from a row under this header: no record of fields is
 * made a row. Undefined where the row is too short to reach its column, or
 * the header has no such column.
 */
export function fieldReader(header: ResolvedHeader, field: string): FieldReader {
  const index = header.columns.findIndex((c) => 'field' in c && c.field === field);
  if (index === -1) return () => undefined;
  const column = header.columns[index] as { field: string; words?: ValueMap; wordsBy?: WordsByColumn };
  const { words, wordsBy } = column;
  // The row's own values (for a rejects file) stay as written; only what is read is translated.
  if (wordsBy) return (values) => (index < values.length ? translated(values[index]!, column, values) : undefined);
  return words
    ? (values) =>
        index < values.length ? (words.get(values[index]!.trim().toLowerCase()) ?? values[index]) : undefined
    : (values) => values[index];
}

/** A legacy word read as what it means on this row: by the other column's value first, then for every row. */
function translated(
  value: string,
  column: { words?: ValueMap; wordsBy?: WordsByColumn },
  values: readonly string[],
): string {
  const key = value.trim().toLowerCase();
  const { wordsBy } = column;
  if (wordsBy) {
    const byValue = wordsBy.index < values.length ? wordsBy.read(values[wordsBy.index]!) : undefined;
    const meant = byValue === undefined ? undefined : wordsBy.tables.get(byValue)?.get(key);
    if (meant !== undefined) return meant;
  }
  return column.words?.get(key) ?? value;
}

/** The row as fields; a value under a blank header is `row-shape`. */
export function fieldsOf(
  values: string[],
  header: ResolvedHeader,
): { fields: Record<string, string>; issues: Issue[] } {
  const fields: Record<string, string> = {};
  const n = Math.min(values.length, header.columns.length);
  for (let i = 0; i < n; i++) {
    const column = header.columns[i]!;
    // A legacy word is read as what it means; the row's own values (for a rejects file) stay as written.
    if ('field' in column) fields[column.field] = translated(values[i]!, column, values);
  }
  return { fields, issues: [...shapeIssues(values, header)] };
}
