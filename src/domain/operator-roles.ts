/**
 * Operators through time: the roles an operator held on a given day. An
 * operators file may date each row's roles (`roles_from`, `roles_to`, both
 * days included, either open) and give a leaving date (the last day of
 * service); a row without dates holds its roles always, as files without
 * dates always did. A contact is checked against the roles held on its
 * enquiry date, so a leaver's or a changed operator's history imports, while
 * no one gains a recording role today.
 */

import { matchRecordingRole } from './vocabulary.js';

/** Roles held between two days, both included; null is open. */
export interface RolePeriod {
  roles: readonly string[];
  from: string | null;
  to: string | null;
}

/** What the rules need to know of an operator's roles through time. */
export interface RolesThroughTime {
  /** Roles held always (rows without dates). */
  roles: readonly string[];
  /** Dated roles; absent or empty for an operator whose file gave no dates. */
  periods?: readonly RolePeriod[] | undefined;
  /** The last day of service; null or absent: still serving. */
  leftOn?: string | null | undefined;
}

const covers = (period: RolePeriod, day: string) =>
  (period.from === null || period.from <= day) && (period.to === null || day <= period.to);

function unique(roles: readonly string[]): string[] {
  const seen = new Map<string, string>();
  for (const role of roles) if (!seen.has(role.toLowerCase())) seen.set(role.toLowerCase(), role);
  return [...seen.values()];
}

/** The roles held on `day` (`YYYY-MM-DD`); with no day, every role ever held. */
export function rolesHeldOn(operator: RolesThroughTime, day: string | undefined): string[] {
  const periods = operator.periods ?? [];
  if (day === undefined) return unique([...operator.roles, ...periods.flatMap((p) => p.roles)]);
  if (operator.leftOn && day > operator.leftOn) return [];
  return unique([...operator.roles, ...periods.filter((p) => covers(p, day)).flatMap((p) => p.roles)]);
}

const isDated = (operator: RolesThroughTime) => (operator.periods ?? []).length > 0 || Boolean(operator.leftOn);

/**
 * Why the operator may not record on `day`, or undefined when a recording
 * role was held. `when` says which day it is to a reader ("the enquiry
 * date", "today").
 */
export function notAuthorisedBecause(
  operator: RolesThroughTime,
  day: string | undefined,
  when: string,
): string | undefined {
  const held = rolesHeldOn(operator, day);
  if (held.some((r) => matchRecordingRole(r) !== undefined)) return undefined;
  const holds = held.length > 0 ? held.join('; ') : 'no roles';
  if (day === undefined || !isDated(operator)) return `holds ${holds}`;
  if (operator.leftOn && day > operator.leftOn)
    return `on ${when}, ${day}, the operator had left: the last day of service was ${operator.leftOn}`;
  const recording = (operator.periods ?? []).filter((p) => p.roles.some((r) => matchRecordingRole(r) !== undefined));
  const elsewhen = recording.map((p) =>
    `${p.roles.join('; ')} ${p.from ? `from ${p.from}` : ''}${p.from && p.to ? ' ' : ''}${p.to ? `to ${p.to}` : ''}`.trim(),
  );
  return `on ${when}, ${day}, it held ${holds}${elsewhen.length > 0 ? `; a recording role was held at other times (${elsewhen.join(', ')})` : ''}`;
}
