/**
 * Whether the session may give the store its roles (or take them away), and
 * if not, exactly what it lacks. A superuser may; so may, on a managed
 * service with no superuser, the database's owner with CREATEROLE: under
 * PostgreSQL 15's rules a CREATEROLE login creates roles and grants any
 * non-superuser role, so it makes itself a member of the store's admin role
 * before handing the store's tables to it (ALTER … OWNER needs that). From
 * PostgreSQL 16 a CREATEROLE login holds ADMIN only on the roles it created,
 * which is all it needs for roles it makes here.
 */

import { sql } from 'drizzle-orm';
import { type CisError, storageError } from '../domain/errors.js';
import { type Executor, rows } from './database.js';
import { FUNCTIONS, MIGRATIONS_TABLE, TABLES } from './access.js';

export interface RolesPrerequisites {
  login: string;
  database: string;
  /** The login must make itself a member of the store's admin role before handing it the store. */
  joinAdmin: boolean;
  /** What the login lacks, each said plainly; empty when it may go ahead. */
  missing: string[];
  /** Who could run it instead: existing roles only. */
  instead: string[];
}

interface Facts {
  login: string;
  superuser: boolean;
  createrole: boolean;
  database: string;
  database_owner: string;
  owns_database: boolean;
  /** Has the server's pre-16 rule: CREATEROLE grants any non-superuser role. */
  createrole_grants_any: boolean;
  admin_exists: boolean;
  admin_member: boolean;
  admin_grantable: boolean;
}

/** What the session is and may do, for a store whose admin role is `admin` (which may not exist yet). */
export async function rolesPrerequisites(db: Executor, admin: string): Promise<RolesPrerequisites> {
  const [facts] = await rows<Facts>(
    db,
    sql`
    select session_user::text as login, r.rolsuper as superuser, r.rolcreaterole as createrole,
           current_database()::text as database, pg_get_userbyid(d.datdba)::text as database_owner,
           pg_has_role(session_user, d.datdba, 'MEMBER') as owns_database,
           current_setting('server_version_num')::int < 160000 as createrole_grants_any,
           a.oid is not null as admin_exists,
           coalesce(pg_has_role(session_user, a.oid, 'MEMBER'), false) as admin_member,
           coalesce(pg_has_role(session_user, a.oid, 'MEMBER WITH ADMIN OPTION'), false) as admin_grantable
    from pg_catalog.pg_roles r
    join pg_catalog.pg_database d on d.datname = current_database()
    left join pg_catalog.pg_roles a on a.rolname = ${admin}
    where r.rolname = session_user`,
  );
  const f = facts!;
  const owners = await foreignOwners(db);
  const missing: string[] = [];
  const instead = new Set<string>();
  if (!f.superuser && !f.createrole)
    missing.push(`${f.login} has neither SUPERUSER nor CREATEROLE, and creating roles needs one`);
  if (!f.owns_database) {
    missing.push(
      `the database ${f.database} belongs to ${f.database_owner}, and only its owner may take CONNECT from PUBLIC`,
    );
    instead.add(f.database_owner);
  }
  // The store's own admin role can be joined by a CREATEROLE login; another owner must be the login itself or one it belongs to.
  const joinable = !f.admin_exists || f.admin_member || f.admin_grantable || (f.createrole && f.createrole_grants_any);
  for (const owner of owners) {
    if (owner === admin && joinable) continue;
    missing.push(`the store's tables and functions belong to ${owner}, and ${f.login} is not a member of it`);
    instead.add(owner);
  }
  return {
    login: f.login,
    database: f.database,
    joinAdmin: !f.superuser && !f.admin_member,
    missing,
    instead: [...instead],
  };
}

/** Owners of the store's tables, functions and schemas that the session is not (and is no member of). */
async function foreignOwners(db: Executor): Promise<string[]> {
  // Looked up by name in the catalogues: to_regclass would need the schemas' USAGE, which PUBLIC may not have.
  const tables = JSON.stringify([...TABLES.map((t) => `public.${t}`), MIGRATIONS_TABLE]);
  const functions = JSON.stringify(FUNCTIONS.map((f) => f.replace(/\(.*\)$/, '')));
  const found = await rows<{ owner: string }>(
    db,
    sql`
    select distinct pg_get_userbyid(o.owner)::text as owner from (
      select c.relowner as owner from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where n.nspname || '.' || c.relname in (select jsonb_array_elements_text(${tables}::jsonb))
      union all select p.proowner from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
      where n.nspname = 'public' and p.proname in (select jsonb_array_elements_text(${functions}::jsonb))
      union all select n.nspowner from pg_catalog.pg_namespace n where n.nspname in ('public', 'drizzle')
    ) o
    -- The public schema's owner is the database's owner (PostgreSQL 15), checked on its own.
    where pg_get_userbyid(o.owner) <> 'pg_database_owner' and not pg_has_role(session_user, o.owner, 'MEMBER') order by 1`,
  );
  return found.map((r) => r.owner);
}

/** The refusal for a login that lacks what `rolesPrerequisites` found missing: what it lacks, and who could run it instead. */
export function rolesRefusal(location: string, found: RolesPrerequisites): CisError {
  const instead =
    found.instead.length > 0
      ? `run it as a superuser, or as a login with CREATEROLE that is (or is a member of) ${found.instead.join(' and ')}`
      : `run it as a superuser, or have a superuser run ALTER ROLE ${found.login} CREATEROLE`;
  return storageError('permission-denied', { value: location, detail: found.missing.join('; ') }, instead);
}

/** The database the session is in. */
export async function currentDatabase(db: Executor): Promise<string> {
  const [row] = await rows<{ name: string }>(db, sql`select current_database()::text as name`);
  return row!.name;
}
