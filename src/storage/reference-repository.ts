/** The registry of CIS records and the operators: reference data, updated in place on re-import. */

import { inArray, sql } from 'drizzle-orm';
import type { OperatorEntry, RegistryEntry, Writer } from '../domain/contact.js';
import type { OperatorRecord, RegistryRecord } from '../domain/reference-data.js';
import type { RecordKind } from '../domain/vocabulary.js';
import { type Executor, rows } from './database.js';
import { cisRecords, operators, partnershipMembers } from './schema.js';

const CHUNK = 5000;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export async function findRecords(executor: Executor, utrs: readonly string[]): Promise<Map<string, RegistryEntry>> {
  const found = new Map<string, RegistryEntry>();
  const wanted = [...new Set(utrs)];
  for (const part of chunks(wanted)) {
    const records = await executor
      .select({ utr: cisRecords.utr, kind: cisRecords.kind })
      .from(cisRecords)
      .where(inArray(cisRecords.utr, part));
    for (const r of records) found.set(r.utr, { utr: r.utr, kind: r.kind as RecordKind, partners: [] });
    const partnerships = records.filter((r) => r.kind === 'partnership').map((r) => r.utr);
    if (partnerships.length === 0) continue;
    const members = await executor
      .select()
      .from(partnershipMembers)
      .where(inArray(partnershipMembers.partnershipUtr, partnerships))
      .orderBy(partnershipMembers.partnershipUtr, partnershipMembers.partnerUtr);
    for (const m of members) (found.get(m.partnershipUtr)!.partners as string[]).push(m.partnerUtr);
  }
  return found;
}

/** The registry's names of these records (the partnerships a history's contacts came through), by UTR. */
export async function recordNames(executor: Executor, utrs: readonly string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const part of chunks([...new Set(utrs)])) {
    const list = await executor
      .select({ utr: cisRecords.utr, name: cisRecords.name })
      .from(cisRecords)
      .where(inArray(cisRecords.utr, part));
    for (const r of list) found.set(r.utr, r.name);
  }
  return found;
}

export async function findOperators(executor: Executor, pids: readonly string[]): Promise<Map<string, OperatorEntry>> {
  const found = new Map<string, OperatorEntry>();
  for (const part of chunks([...new Set(pids)])) {
    const list = await executor
      .select({
        pid: operators.pid,
        roles: operators.roles,
        logins: operators.logins,
        periods: operators.rolePeriods,
        leftOn: operators.leftOn,
      })
      .from(operators)
      .where(inArray(operators.pid, part));
    for (const o of list) found.set(o.pid, o);
  }
  return found;
}

/** The session's login, and whether PID bindings hold it: the database's own rule (drizzle/0004) exempts superusers. */
export async function currentWriter(executor: Executor): Promise<Writer> {
  const [row] = await rows<{ login: string; superuser: boolean }>(
    executor,
    sql`
    select session_user::text as login, coalesce((select rolsuper from pg_roles where rolname = session_user), false) as superuser`,
  );
  return { login: row!.login, bound: !row!.superuser };
}

/** The PIDs bound to the session's login (the operators file's logins column): with exactly one, it is the login's own. */
export async function pidsBoundToLogin(executor: Executor): Promise<string[]> {
  const list = await rows<{ pid: string }>(
    executor,
    sql`
    select pid::text as pid from public.operators where session_user::text = any(logins) order by pid limit 2`,
  );
  return list.map((r) => r.pid);
}

export async function findKinds(executor: Executor, utrs: readonly string[]): Promise<Map<string, RecordKind>> {
  const found = new Map<string, RecordKind>();
  for (const part of chunks([...new Set(utrs)])) {
    const list = await executor
      .select({ utr: cisRecords.utr, kind: cisRecords.kind })
      .from(cisRecords)
      .where(inArray(cisRecords.utr, part));
    for (const r of list) found.set(r.utr, r.kind as RecordKind);
  }
  return found;
}

/** Inserts or updates records (not their memberships: see addMemberships). */
export async function saveRecords(executor: Executor, records: readonly RegistryRecord[]): Promise<void> {
  for (const part of chunks(records, 2000)) {
    await executor
      .insert(cisRecords)
      .values(part.map((r) => ({ utr: r.utr, name: r.name, kind: r.kind })))
      .onConflictDoUpdate({
        target: cisRecords.utr,
        set: { name: sql`excluded.name`, kind: sql`excluded.kind`, updatedAt: sql`now()` },
        setWhere: sql`(${cisRecords.name}, ${cisRecords.kind}) is distinct from (excluded.name, excluded.kind)`,
      });
  }
}

/** Memberships are only ever added; both records must be stored first. */
export async function addMemberships(
  executor: Executor,
  memberships: readonly { partnershipUtr: string; partnerUtr: string }[],
): Promise<void> {
  for (const part of chunks(memberships)) {
    await executor.insert(partnershipMembers).values(part).onConflictDoNothing();
  }
}

/**
 * Inserts or updates operators: a PID's roles and dated roles become the
 * file's. A file without a `logins` column leaves the stored bindings as they
 * are, and one without a `leaving_date` column the stored leaving date: an
 * older file re-imported never unbinds a PID, nor brings a leaver back.
 */
export async function saveOperators(executor: Executor, list: readonly OperatorRecord[]): Promise<void> {
  for (const part of chunks(list, 2000)) {
    const logins = part.some((o) => o.logins !== undefined) ? sql`excluded.logins` : sql`${operators.logins}`;
    const leftOn = part.some((o) => o.leftOn !== undefined) ? sql`excluded.left_on` : sql`${operators.leftOn}`;
    await executor
      .insert(operators)
      .values(
        part.map((o) => ({
          pid: o.pid,
          name: o.name,
          roles: o.roles,
          logins: o.logins ?? [],
          rolePeriods: o.periods,
          leftOn: o.leftOn ?? null,
        })),
      )
      .onConflictDoUpdate({
        target: operators.pid,
        set: {
          name: sql`excluded.name`,
          roles: sql`excluded.roles`,
          logins,
          rolePeriods: sql`excluded.role_periods`,
          leftOn,
          updatedAt: sql`now()`,
        },
        setWhere: sql`(${operators.name}, ${operators.roles}, ${operators.logins}, ${operators.rolePeriods}, ${operators.leftOn})
          is distinct from (excluded.name, excluded.roles, ${logins}, excluded.role_periods, ${leftOn})`,
      });
  }
}
