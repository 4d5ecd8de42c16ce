/**
 * Header mapping: names matched case-insensitively after trimming,
 * spaces and hyphens read as underscores; `--map` renames or drops columns;
 * `reject_*` columns are ignored so a corrected rejects file imports as it is;
 * a blank header is dropped while its cells are blank. Anything unknown is
 * fatal before a row is read: a misspelt column must never be dropped silently.
 */

import { readFileSync } from 'node:fs';
import { type Issue, issue } from '../domain/catalogue.js';
import { CisError, inputError } from '../domain/errors.js';

export interface FileLayout {
  known: readonly string[];
  required: readonly string[];
}

export type ColumnMap = ReadonlyMap<string, string | null>;

export interface ResolvedHeader {
  /** The header as written, for the rejects file. */
  raw: string[];
  /** Per column: the field it fills, or 'ignored' (reject_* or mapped to null), or 'blank'. */
  columns: ({ field: string } | { ignored: true } | { blank: true })[];
}

export function normaliseHeaderName(name: string): string {
  return name.trim().toLowerCase().replace(/[\s-]+/g, '_');
}

/** A rejects file's own columns: ignored on input, replaced in the next rejects file. */
export function isRejectColumn(name: string): boolean {
  return normaliseHeaderName(name).startsWith('reject_');
}

export function loadColumnMap(path: string, layout: FileLayout): ColumnMap {
  const fail = (detail: string) => new CisError('input', 'map-invalid', issue('map-invalid', { value: path, detail }).message);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw fail((error as Error).message);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw fail('it must be a JSON object of {"legacy header": "column" or null}');
  }
  const map = new Map<string, string | null>();
  for (const [from, to] of Object.entries(parsed)) {
    if (to !== null && typeof to !== 'string') throw fail(`the value for "${from}" must be a column name or null`);
    const target = to === null ? null : normaliseHeaderName(to);
    if (target !== null && !layout.known.includes(target)) {
      throw fail(`"${from}" maps to "${to}", which is not a column (${layout.known.join(', ')})`);
    }
    map.set(normaliseHeaderName(from), target);
  }
  return map;
}

export function resolveHeader(raw: string[], layout: FileLayout, map: ColumnMap = new Map()): ResolvedHeader {
  const problems: Issue[] = [];
  const seen = new Set<string>();
  const columns = raw.map((name): ResolvedHeader['columns'][number] => {
    const normal = normaliseHeaderName(name);
    const mapped = map.has(normal) ? map.get(normal)! : undefined;
    if (mapped === null) return { ignored: true };
    const field = mapped ?? normal;
    if (mapped === undefined && isRejectColumn(name)) return { ignored: true };
    if (field === '') return { blank: true };
    if (!layout.known.includes(field)) {
      problems.push(issue('unknown-column', { field: name.trim(), detail: `known columns are ${layout.known.join(', ')}` }));
      return { ignored: true };
    }
    if (seen.has(field)) problems.push(issue('duplicate-column', { field }));
    seen.add(field);
    return { field };
  });
  for (const field of layout.required) if (!seen.has(field)) problems.push(issue('missing-column', { field }));
  if (problems.length > 0) {
    throw inputError(problems[0]!.code, problems.map((p) => p.message).join('; '));
  }
  return { raw, columns };
}

/** The row as fields; a value under a blank header is `row-shape`. */
export function fieldsOf(values: string[], header: ResolvedHeader): { fields: Record<string, string>; issues: Issue[] } {
  const fields: Record<string, string> = {};
  const issues: Issue[] = [];
  if (values.length !== header.columns.length) {
    issues.push(issue('row-shape', { length: values.length, limit: header.columns.length }));
  }
  const n = Math.min(values.length, header.columns.length);
  for (let i = 0; i < n; i++) {
    const column = header.columns[i]!;
    if ('field' in column) fields[column.field] = values[i]!;
    else if ('blank' in column && values[i]!.trim() !== '') {
      issues.push(issue('row-shape', { length: values.length, limit: header.columns.length, detail: `a value stands under the blank header of column ${i + 1}` }));
    }
  }
  return { fields, issues };
}
