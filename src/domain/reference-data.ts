/**
 * Rules for the reference data files: the CIS registry and
 * operators.
 */

import { type Issue, catalogueOrder, issue } from './catalogue.js';
import { splitList } from './contact.js';
import { codePointLength, findControlCharacter, normaliseText } from './text.js';
import { parseUtr } from './utr.js';
import { LIMITS, type RecordKind, matchKind, matchKnownRole } from './vocabulary.js';
import { parsePid } from './pid.js';
import { parseDate } from './dates.js';
import type { RolePeriod } from './operator-roles.js';

export interface RawRegistryRow {
  utr?: string | undefined;
  name?: string | undefined;
  kind?: string | undefined;
  partner_of?: string | undefined;
}

export interface RegistryRecord {
  utr: string;
  name: string;
  kind: RecordKind;
  partnerOf: string[];
}

export interface RawOperatorRow {
  pid?: string | undefined;
  name?: string | undefined;
  roles?: string | undefined;
  logins?: string | undefined;
  roles_from?: string | undefined;
  roles_to?: string | undefined;
  leaving_date?: string | undefined;
}

export interface OperatorRecord {
  pid: string;
  name: string;
  /** Roles held always: a row without dates. */
  roles: string[];
  /** Roles held between dates: a row with `roles_from` or `roles_to`. */
  periods: RolePeriod[];
  /** The last day of service: null when blank; undefined when the file has no such column. */
  leftOn: string | null | undefined;
  /** Database logins allowed to record under the PID (blank: not bound); undefined when the file has no such column. */
  logins: string[] | undefined;
}

export type Checked<T> = { value: T; errors: [] } | { value: undefined; errors: Issue[] };

function done<T>(value: T, errors: Issue[]): Checked<T> {
  if (errors.length > 0) return { value: undefined, errors: errors.sort((a, b) => catalogueOrder(a.code, b.code)) };
  return { value, errors: [] };
}

function checkName(raw: string | undefined, limit: number | undefined, errors: Issue[]): string {
  const name = normaliseText(raw ?? '');
  if (name === '') errors.push(issue('name-missing', { field: 'name' }));
  const control = findControlCharacter(name, false);
  if (control) errors.push(issue('control-character', { field: 'name', value: control }));
  if (limit !== undefined && name.length > limit && codePointLength(name) > limit) {
    errors.push(issue('name-too-long', { field: 'name', length: codePointLength(name), limit }));
  }
  return name;
}

/**
 * `kindOf` answers for every UTR known so far, in the same file or stored,
 * so memberships may name a partnership on a later line.
 */
export function checkRegistryRow(
  raw: RawRegistryRow,
  kindOf: (utr: string) => RecordKind | undefined,
): Checked<RegistryRecord> {
  const errors: Issue[] = [];
  const utr = parseUtr(raw.utr);
  if (!utr.ok)
    errors.push(
      issue(utr.code, { field: 'utr', ...(raw.utr?.trim() ? { value: raw.utr.trim() } : {}), detail: utr.detail }),
    );
  const name = checkName(raw.name, LIMITS.recordName, errors);
  const kind = matchKind(raw.kind ?? '');
  if (!kind) errors.push(issue('kind-invalid', { field: 'kind', value: (raw.kind ?? '').trim() }));
  const partnerOf: string[] = [];
  for (const item of splitList(raw.partner_of)) {
    const target = parseUtr(item);
    if (!target.ok) {
      errors.push(issue(target.code, { field: 'partner_of', value: item }));
      continue;
    }
    const targetKind = kindOf(target.utr);
    if (kind === 'partnership') {
      errors.push(
        issue('partner-of-invalid', {
          field: 'partner_of',
          value: item,
          detail: 'cannot have a partnership as a partner',
        }),
      );
    } else if (targetKind === undefined) {
      errors.push(
        issue('partner-of-invalid', {
          field: 'partner_of',
          value: item,
          detail: 'is not in this file or the registry',
        }),
      );
    } else if (targetKind !== 'partnership') {
      errors.push(
        issue('partner-of-invalid', {
          field: 'partner_of',
          value: item,
          detail: `is a ${targetKind}, not a partnership`,
        }),
      );
    } else if (!partnerOf.includes(target.utr)) partnerOf.push(target.utr);
  }
  return done({ utr: utr.ok ? utr.utr : '', name, kind: kind!, partnerOf }, errors);
}

/** Known roles are stored in their canonical spelling; an unknown one as given (and rejected, naming it). */
function canonicalRoles(list: string | undefined): string[] {
  const roles: string[] = [];
  const seen = new Set<string>();
  for (const role of splitList(list)) {
    const canonical = matchKnownRole(role) ?? role;
    const key = canonical.toLowerCase();
    if (!seen.has(key)) {
      seen.add(key);
      roles.push(canonical);
    }
  }
  return roles;
}

export function checkOperatorRow(raw: RawOperatorRow): Checked<OperatorRecord> {
  const errors: Issue[] = [];
  const parsed = parsePid(raw.pid);
  if (!parsed.ok) {
    errors.push(
      parsed.code === 'operator-missing'
        ? issue('operator-missing', { field: 'pid' })
        : issue('operator-format', { field: 'pid', value: parsed.value, detail: parsed.detail }),
    );
  }
  const name = checkName(raw.name, undefined, errors);
  const roles = canonicalRoles(raw.roles);
  if (roles.length === 0) errors.push(issue('roles-missing', { field: 'roles' }));
  for (const role of roles) {
    const control = findControlCharacter(role, false);
    if (control) errors.push(issue('control-character', { field: 'roles', value: control }));
    else if (!matchKnownRole(role)) errors.push(issue('role-unknown', { field: 'roles', value: role }));
  }
  const logins = raw.logins === undefined ? undefined : [...new Set(splitList(raw.logins))];
  for (const login of logins ?? []) {
    const control = findControlCharacter(login, false);
    if (control) errors.push(issue('control-character', { field: 'logins', value: control }));
  }
  const { from, to, leftOn } = checkDates(raw, errors);
  const dated = from !== null || to !== null;
  return done(
    {
      pid: parsed.ok ? parsed.pid : '',
      name,
      roles: dated ? [] : roles,
      periods: dated ? [{ roles, from, to }] : [],
      leftOn,
      logins,
    },
    errors,
  );
}

const DATE_FORMS = 'is not a date (YYYY-MM-DD or DD/MM/YYYY, day first)';

/** A row's dates: blank is open (or, for the leaving date, still serving); an unreadable one is named. */
function checkDates(
  raw: RawOperatorRow,
  errors: Issue[],
): { from: string | null; to: string | null; leftOn: string | null | undefined } {
  const read = (field: 'roles_from' | 'roles_to' | 'leaving_date'): string | null => {
    const value = (raw[field] ?? '').trim();
    if (value === '') return null;
    const date = parseDate(value, 'dmy');
    if (date === undefined) errors.push(issue('period-invalid', { field, value, detail: DATE_FORMS }));
    return date ?? null;
  };
  const from = read('roles_from');
  const to = read('roles_to');
  const leftOn = raw.leaving_date === undefined ? undefined : read('leaving_date');
  if (from !== null && to !== null && to < from) {
    errors.push(
      issue('period-invalid', {
        field: 'roles_to',
        value: to,
        detail: `is before roles_from (${from}): a period runs from its first day to its last`,
      }),
    );
  }
  if (from !== null && leftOn && leftOn < from) {
    errors.push(
      issue('period-invalid', {
        field: 'leaving_date',
        value: leftOn,
        detail: `is before roles_from (${from}): no role is held after the last day of service`,
      }),
    );
  }
  return { from, to, leftOn };
}

/**
 * Two rows of one PID in one file: each row is a period, so their roles add
 * up; the later row's name, logins and leaving date win where it gives them.
 */
export function mergeOperatorRows(earlier: OperatorRecord, later: OperatorRecord): OperatorRecord {
  const roles = [...earlier.roles];
  for (const role of later.roles) if (!roles.some((r) => r.toLowerCase() === role.toLowerCase())) roles.push(role);
  return {
    pid: later.pid,
    name: later.name,
    roles,
    periods: [...earlier.periods, ...later.periods],
    // A blank leaving date never erases one an earlier row gave; null (blank) still says the file has the column.
    leftOn: later.leftOn ?? earlier.leftOn ?? (later.leftOn === null || earlier.leftOn === null ? null : undefined),
    logins: later.logins ?? earlier.logins,
  };
}
