/**
 * Who may do what on a PostgreSQL server: three group roles, without login,
 * each granted exactly what its job needs. A DBA grants them to logins.
 *
 * - auditor: read everything (history, export, verify).
 * - recorder: the auditor's rights, and append contacts, enquiries and import
 *   runs (record, run, import). Nothing else: the registry and the operators,
 *   and so PID bindings, are out of its reach.
 * - admin: the recorder's rights, and owns the store, so it runs migrations,
 *   registry and operators imports, and restores.
 *
 * PUBLIC is left nothing on the store's schemas. Contacts and enquiries stay
 * append-only for every role, the admin included (drizzle/0001).
 */

import { type SQL, sql } from 'drizzle-orm';
import { type Executor, rows } from './database.js';
import { ROLES } from './roles.js';


const TABLES = ['contacts', 'enquiries', 'cis_records', 'partnership_members', 'operators', 'import_runs'];
const FUNCTIONS = [
  'cis_contact_refuse_change()', 'cis_contact_refuse_reference_removal()', 'cis_contact_check_references()',
  'cis_contact_check_accountability()',
];
const MIGRATIONS_TABLE = 'drizzle.__drizzle_migrations';

const ident = (name: string) => sql.raw(name);

function createRole(name: string): SQL {
  // Roles belong to the whole server, so two databases (or two runs) may create one at once.
  return sql.raw(`do $$ begin create role ${name} nologin; exception when duplicate_object or unique_violation then null; end $$`);
}

/** The statements, in order; each is idempotent. */
export function roleStatements(): SQL[] {
  const { auditor, recorder, admin } = ROLES;
  const tables = TABLES.join(', ');
  return [
    createRole(auditor), createRole(recorder), createRole(admin),
    // Each job includes the one before: a recorder reads, an admin records.
    sql`grant ${ident(auditor)} to ${ident(recorder)}`,
    sql`grant ${ident(recorder)} to ${ident(admin)}`,
    sql`revoke all on schema public from public`,
    sql`revoke all on schema drizzle from public`,
    sql.raw(`revoke all on ${tables}, ${MIGRATIONS_TABLE} from public`),
    sql.raw(`revoke all on function ${FUNCTIONS.join(', ')} from public`),
    sql`grant usage on schema public, drizzle to ${ident(auditor)}`,
    sql.raw(`grant select on ${tables}, ${MIGRATIONS_TABLE} to ${auditor}`),
    sql.raw(`grant insert on contacts, enquiries, import_runs to ${recorder}`),
    sql.raw(`grant update (finished_at, summary) on import_runs to ${recorder}`),
    // Migrations alter the tables, which only their owner may do: the admin role owns the store.
    sql`grant create on schema public to ${ident(admin)}`,
    ...TABLES.map((t) => sql.raw(`alter table ${t} owner to ${admin}`)),
    ...FUNCTIONS.map((f) => sql.raw(`alter function ${f} owner to ${admin}`)),
    sql`alter schema drizzle owner to ${ident(admin)}`,
    sql.raw(`alter table ${MIGRATIONS_TABLE} owner to ${admin}`),
    // Tables a later migration adds are readable by auditors without running this again.
    sql`alter default privileges for role ${ident(admin)} in schema public grant select on tables to ${ident(auditor)}`,
  ];
}

/** Creates the roles and their grants in one transaction. */
export async function grantRoles(db: Executor): Promise<void> {
  await db.transaction(async (tx) => {
    for (const statement of roleStatements()) await tx.execute(statement);
  });
}

/** May the session create roles at all? (A superuser, or a login with CREATEROLE.) */
export async function mayCreateRoles(db: Executor): Promise<{ login: string; allowed: boolean }> {
  const [row] = await rows<{ login: string; allowed: boolean }>(db, sql`
    select session_user::text as login, (r.rolsuper or r.rolcreaterole) as allowed from pg_roles r where r.rolname = session_user`);
  return row!;
}

/**
 * The role that owns the store, when the session is a member of it but not
 * it (an admin's login, once `db roles` gave the store to the admin role):
 * migrations then run as that role, so what they create is the role's too.
 */
export async function storeOwnerToAssume(db: Executor): Promise<string | undefined> {
  const [row] = await rows<{ owner: string | null; member: boolean }>(db, sql`
    select o.owner, coalesce(o.owner <> session_user::text and pg_has_role(session_user, o.owner, 'MEMBER'), false) as member
    from (select pg_get_userbyid(c.relowner)::text as owner from pg_class c where c.oid = to_regclass('public.contacts')) o`);
  return row?.member ? row.owner! : undefined;
}
