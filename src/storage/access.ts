/**
 * Who may do what on a PostgreSQL server: three group roles, without login,
 * each granted exactly what its job needs. A DBA grants them to logins.
 *
 * - auditor: connect and read everything (history, export, verify).
 * - recorder: the auditor's rights, and append contacts, enquiries and import
 *   runs (record, run, import). Nothing else: the registry and the operators,
 *   and so PID bindings, are out of its reach.
 * - admin: the recorder's rights, and owns the store, so it runs migrations,
 *   registry and operators imports, and restores.
 *
 * The roles are this store's own (their names carry its prefix, and a comment
 * says whose they are). PUBLIC is left nothing: not the store's schemas, and
 * not CONNECT or TEMPORARY on its database, so a login without a role cannot
 * even open a session there. Contacts and enquiries stay append-only for every
 * role, the admin included (drizzle/0001, 0005).
 */

import { type SQL, sql } from 'drizzle-orm';
import { type Executor, rows } from './database.js';
import { JOBS, type Job, LEGACY_PREFIX, roleComment, roleName, storeOfComment } from './roles.js';

export const TABLES = ['contacts', 'enquiries', 'cis_records', 'partnership_members', 'operators', 'import_runs'];
export const FUNCTIONS = [
  'cis_contact_refuse_change()',
  'cis_contact_refuse_reference_removal()',
  'cis_contact_check_references()',
  'cis_contact_check_accountability()',
  'cis_contact_check_chain()',
  'cis_contact_check_enquiries()',
  'cis_contact_stamp_import_run()',
  'cis_contact_check_client_version()',
  'cis_contact_plain_text(text, boolean)',
  'cis_contact_check_not_partnership()',
];
export const MIGRATIONS_TABLE = 'drizzle.__drizzle_migrations';
/** Locked FOR UPDATE, which needs UPDATE: the chain by writers, the migrations by the owner alone; readers get nothing on them. */
const LOCK_TABLES = ['public.chain_head_lock', 'public.migration_lock'];
/** The same, named with their schema, as every statement the tool sends names them. */
const QUALIFIED_TABLES = TABLES.map((t) => `public.${t}`);
const QUALIFIED_FUNCTIONS = FUNCTIONS.map((f) => `public.${f}`);

export const quoted = (name: string) => `"${name.replace(/"/g, '""')}"`;
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

export type RoleNames = Record<Job, string>;

export function roleNames(prefix: string): RoleNames {
  return {
    auditor: roleName(prefix, 'auditor'),
    recorder: roleName(prefix, 'recorder'),
    admin: roleName(prefix, 'admin'),
  };
}

function createRole(name: string): SQL {
  // Roles belong to the whole server, so two databases (or two runs) may create one at once.
  return sql.raw(
    `do $$ begin create role ${quoted(name)} nologin; exception when duplicate_object or unique_violation then null; end $$`,
  );
}

/** The statements, in order, once the roles exist; each is idempotent. */
function roleStatements(database: string, names: RoleNames): SQL[] {
  const { auditor, recorder, admin } = {
    auditor: quoted(names.auditor),
    recorder: quoted(names.recorder),
    admin: quoted(names.admin),
  };
  const tables = QUALIFIED_TABLES.join(', ');
  return [
    ...JOBS.map((job) => sql.raw(`comment on role ${quoted(names[job])} is ${literal(roleComment(database, job))}`)),
    // Each job includes the one before: a recorder reads, an admin records.
    sql.raw(`grant ${auditor} to ${recorder}`),
    sql.raw(`grant ${recorder} to ${admin}`),
    sql.raw(`revoke connect, temporary on database ${quoted(database)} from public`),
    sql.raw(`grant connect on database ${quoted(database)} to ${auditor}`),
    sql`revoke all on schema public from public`,
    sql`revoke all on schema drizzle from public`,
    sql.raw(`revoke all on ${tables}, ${MIGRATIONS_TABLE} from public`),
    sql.raw(`revoke all on function ${QUALIFIED_FUNCTIONS.join(', ')} from public`),
    sql.raw(`grant usage on schema public, drizzle to ${auditor}`),
    sql.raw(`grant select on ${tables}, ${MIGRATIONS_TABLE} to ${auditor}`),
    sql.raw(`grant insert on public.contacts, public.enquiries, public.import_runs to ${recorder}`),
    sql.raw(`grant update (finished_at, summary) on public.import_runs to ${recorder}`),
    // No one but a writer may lock the chain, and no one but the owner the migrations (an auditor holding them would stop every writer).
    sql.raw(`revoke all on ${LOCK_TABLES.join(', ')} from public, ${auditor}, ${recorder}`),
    sql.raw(`grant select, update on public.chain_head_lock to ${recorder}`),
    // The text checks of contacts and enquiries call it as the writer (a CHECK runs with the writer's rights).
    sql.raw(`grant execute on function public.cis_contact_plain_text(text, boolean) to ${recorder}`),
    // Migrations alter the tables, which only their owner may do: the admin role owns the store.
    sql.raw(`grant create on schema public to ${admin}`),
    ...[...QUALIFIED_TABLES, ...LOCK_TABLES].map((t) => sql.raw(`alter table ${t} owner to ${admin}`)),
    ...QUALIFIED_FUNCTIONS.map((f) => sql.raw(`alter function ${f} owner to ${admin}`)),
    sql.raw(`alter schema drizzle owner to ${admin}`),
    sql.raw(`alter table ${MIGRATIONS_TABLE} owner to ${admin}`),
    // Tables a later migration adds are readable by auditors without running this again.
    sql.raw(`alter default privileges for role ${admin} in schema public grant select on tables to ${auditor}`),
  ];
}

/**
 * Roles that are not this store's but hold something here: the server-wide
 * `cis_contact_*` roles of the old setup, and the roles of the store this
 * database was copied from (`pg_dump`/`pg_restore` keeps its grants). Once
 * this store's own roles own it, what they hold here is taken back; the roles
 * stay, for the stores that are theirs. Default privileges can only be taken
 * back from a role the session belongs to (a superuser belongs to all).
 */
function revocations(database: string, others: string[], defaultsOf: string[]): SQL[] {
  if (others.length === 0) return [];
  const names = others.map(quoted).join(', ');
  return [
    sql.raw(`revoke all on ${[...QUALIFIED_TABLES, ...LOCK_TABLES].join(', ')}, ${MIGRATIONS_TABLE} from ${names}`),
    sql.raw(`revoke all on function ${QUALIFIED_FUNCTIONS.join(', ')} from ${names}`),
    sql.raw(`revoke all on schema public, drizzle from ${names}`),
    sql.raw(`revoke all on database ${quoted(database)} from ${names}`),
    ...defaultsOf.map((owner) =>
      sql.raw(`alter default privileges for role ${quoted(owner)} in schema public revoke all on tables from ${names}`),
    ),
  ];
}

export interface RoleCheck {
  /** Roles of these names that exist but were made for something else. */
  foreign: string[];
  /** The server-wide roles of the old setup that exist, and the logins they were granted to. */
  legacy: { role: string; members: string[] }[];
}

/** What stands in the way of giving this store the roles, and what the old setup left. */
export async function checkRoles(db: Executor, database: string, names: RoleNames): Promise<RoleCheck> {
  const wanted = JOBS.map((job) => ({ name: names[job], comment: roleComment(database, job) }));
  const found = await rows<{ rolname: string; comment: string | null }>(
    db,
    sql`
    select r.rolname::text as rolname, pg_catalog.shobj_description(r.oid, 'pg_authid') as comment
    from pg_catalog.pg_roles r where r.rolname in (select jsonb_array_elements_text(${JSON.stringify(wanted.map((w) => w.name))}::jsonb))`,
  );
  const foreign = found
    .filter((r) => r.comment !== wanted.find((w) => w.name === r.rolname)!.comment)
    .map((r) => r.rolname);
  const legacyNames = JOBS.map((job) => roleName(LEGACY_PREFIX, job)).filter((n) => !Object.values(names).includes(n));
  const legacy = await rows<{ role: string; members: string[] }>(
    db,
    sql`
    select r.rolname::text as role,
           coalesce(array_agg(m.rolname::text order by m.rolname) filter (where m.rolname is not null and m.rolcanlogin), '{}') as members
    from pg_catalog.pg_roles r
    left join pg_catalog.pg_auth_members a on a.roleid = r.oid
    left join pg_catalog.pg_roles m on m.oid = a.member
    where r.rolname in (select jsonb_array_elements_text(${JSON.stringify(legacyNames)}::jsonb))
    group by r.rolname order by r.rolname`,
  );
  return { foreign, legacy };
}

/**
 * Creates the roles and their grants in one transaction, and takes back what
 * other roles (see `revocations`) held here. A login that is not a superuser
 * joins the admin role first (`joinAdmin`): only a member may hand it the
 * store's tables.
 */
export async function grantRoles(
  db: Executor,
  database: string,
  names: RoleNames,
  others: string[],
  joinAdmin: boolean,
): Promise<void> {
  await db.transaction(async (tx) => {
    for (const job of JOBS) await tx.execute(createRole(names[job]));
    if (joinAdmin) await tx.execute(sql.raw(`grant ${quoted(names.admin)} to session_user`));
    for (const statement of roleStatements(database, names)) await tx.execute(statement);
    const defaultsOf = await rows<{ role: string }>(
      tx,
      sql`
      select distinct pg_get_userbyid(a.defaclrole)::text as role from pg_catalog.pg_default_acl a
      where pg_get_userbyid(a.defaclrole) in (select jsonb_array_elements_text(${JSON.stringify(others)}::jsonb))
        and pg_has_role(session_user, a.defaclrole, 'MEMBER')`,
    );
    for (const statement of revocations(
      database,
      others,
      defaultsOf.map((d) => d.role),
    ))
      await tx.execute(statement);
  });
}

/**
 * Roles `db roles` made for another database that hold something in this
 * one: owner, grantee or default privileges of an object here, or a grant on
 * this database (what PostgreSQL itself records against a role, so it is
 * what would stop that role from being dropped). A copy of another store
 * made with pg_dump and pg_restore has them.
 */
export async function otherStoresRoles(db: Executor, database: string): Promise<{ role: string; database: string }[]> {
  const found = await rows<{ role: string; comment: string | null }>(
    db,
    sql`
    select r.rolname::text as role, pg_catalog.shobj_description(r.oid, 'pg_authid') as comment
    from pg_catalog.pg_roles r
    where r.oid in (
      select d.refobjid from pg_catalog.pg_shdepend d, pg_catalog.pg_database here
      where here.datname = current_database() and d.refclassid = 'pg_catalog.pg_authid'::regclass
        and (d.dbid = here.oid or (d.classid = 'pg_catalog.pg_database'::regclass and d.objid = here.oid)))
    order by r.rolname`,
  );
  return found.flatMap(({ role, comment }) => {
    const owner = storeOfComment(comment);
    return owner && owner.database !== database ? [{ role, database: owner.database }] : [];
  });
}

/** The prefix of the roles `db roles` gave this store, if it gave it any (any login may ask). */
export async function storeRolePrefix(db: Executor): Promise<string | undefined> {
  const [row] = await rows<{ rolname: string }>(
    db,
    sql`
    select r.rolname::text as rolname from pg_catalog.pg_roles r
    where pg_catalog.shobj_description(r.oid, 'pg_authid') = ${roleComment('', 'auditor')} || current_database() limit 1`,
  );
  return row?.rolname.replace(/_auditor$/, '');
}

/**
 * The role that owns the store, when the session is a member of it but not
 * it (an admin's login, once `db roles` gave the store to the admin role):
 * migrations then run as that role, so what they create is the role's too.
 */
export async function storeOwnerToAssume(db: Executor): Promise<string | undefined> {
  const [row] = await rows<{ owner: string | null; member: boolean }>(
    db,
    sql`
    select o.owner, coalesce(o.owner <> session_user::text and pg_has_role(session_user, o.owner, 'MEMBER'), false) as member
    from (select pg_get_userbyid(c.relowner)::text as owner from pg_class c where c.oid = to_regclass('public.contacts')) o`,
  );
  return row?.member ? row.owner! : undefined;
}
