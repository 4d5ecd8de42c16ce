/**
 * Taking a store's roles away (`db roles --drop`). Roles belong to the whole
 * server and outlive the database they were made for, so they are removed
 * on purpose: what they own here goes back to the database's owner, what
 * they were granted here is revoked, then the roles themselves are dropped,
 * all in one transaction. PostgreSQL refuses to drop a role that still holds
 * something in another database (a copy of the store): nothing is dropped then.
 */

import { sql } from 'drizzle-orm';
import { type Executor, rows } from './database.js';
import { type RoleNames, quoted } from './access.js';
import { JOBS, type Job, storeOfComment } from './roles.js';

interface NamedRole {
  role: string;
  job: Job;
  /** The logins granted it, which lose the store with it. */
  members: string[];
}

export interface RolesFound {
  /** Roles of these names made for this database. */
  ours: NamedRole[];
  /** Roles of these names made for something else, and what their comment says. */
  others: { role: string; comment: string | null }[];
}

/** The roles of these names that exist, sorted into this store's and the rest. */
export async function rolesNamed(db: Executor, database: string, names: RoleNames): Promise<RolesFound> {
  const found = await rows<{ role: string; comment: string | null; members: string[] }>(
    db,
    sql`
    select r.rolname::text as role, pg_catalog.shobj_description(r.oid, 'pg_authid') as comment,
           coalesce(array_agg(m.rolname::text order by m.rolname) filter (where m.rolcanlogin), '{}') as members
    from pg_catalog.pg_roles r
    left join pg_catalog.pg_auth_members a on a.roleid = r.oid
    left join pg_catalog.pg_roles m on m.oid = a.member
    where r.rolname in (select jsonb_array_elements_text(${JSON.stringify(JOBS.map((job) => names[job]))}::jsonb))
    group by r.oid, r.rolname order by r.rolname`,
  );
  const ours: NamedRole[] = [];
  const others: RolesFound['others'] = [];
  for (const { role, comment, members } of found) {
    const owner = storeOfComment(comment);
    const job = JOBS.find((j) => names[j] === role)!;
    if (owner && owner.database === database && owner.job === job) ours.push({ role, job, members });
    else others.push({ role, comment });
  }
  return { ours, others };
}

/**
 * Hands what the roles own here to the database's owner, revokes what they
 * were granted here (and on this database), and drops them. A login that is
 * not a superuser joins them first (`join`): REASSIGN and DROP OWNED act only
 * for a role the session belongs to.
 */
export async function dropRoles(db: Executor, roles: string[], join: string[]): Promise<void> {
  const names = roles.map(quoted).join(', ');
  await db.transaction(async (tx) => {
    for (const role of join) await tx.execute(sql.raw(`grant ${quoted(role)} to session_user`));
    // REASSIGN OWNED would give the roles' default privileges to the new owner, after which PostgreSQL 15's
    // DROP OWNED fails ("could not find tuple for default ACL"): they are taken back first.
    for (const statement of await defaultPrivilegesOf(tx, roles)) await tx.execute(sql.raw(statement));
    const [owner] = await rows<{ owner: string }>(
      tx,
      sql`
      select pg_get_userbyid(datdba)::text as owner from pg_catalog.pg_database where datname = current_database()`,
    );
    await tx.execute(sql.raw(`reassign owned by ${names} to ${quoted(owner!.owner)}`));
    // Owning nothing now, DROP OWNED only revokes: grants here, on this database, and default privileges.
    await tx.execute(sql.raw(`drop owned by ${names}`));
    for (const role of roles) await tx.execute(sql.raw(`drop role ${quoted(role)}`));
  });
}

const DEFAULT_ACL_KINDS: Record<string, string> = {
  r: 'tables',
  S: 'sequences',
  f: 'functions',
  T: 'types',
  n: 'schemas',
};

/** Statements that empty the default privileges the roles set in this database. */
async function defaultPrivilegesOf(db: Executor, roles: string[]): Promise<string[]> {
  const found = await rows<{ owner: string; schema: string | null; kind: string; grantees: string[] }>(
    db,
    sql`
    select pg_get_userbyid(a.defaclrole)::text as owner, n.nspname::text as schema, a.defaclobjtype::text as kind,
           array_agg(distinct case when x.grantee = 0 then 'public' else quote_ident(pg_get_userbyid(x.grantee)) end) as grantees
    from pg_catalog.pg_default_acl a
    left join pg_catalog.pg_namespace n on n.oid = a.defaclnamespace
    cross join lateral aclexplode(a.defaclacl) x
    where pg_get_userbyid(a.defaclrole) in (select jsonb_array_elements_text(${JSON.stringify(roles)}::jsonb))
    group by a.oid, a.defaclrole, n.nspname, a.defaclobjtype`,
  );
  return found.map(
    (d) =>
      `alter default privileges for role ${quoted(d.owner)}${d.schema ? ` in schema ${quoted(d.schema)}` : ''} revoke all on ${DEFAULT_ACL_KINDS[d.kind]} from ${d.grantees.join(', ')}`,
  );
}

/** Roles `db roles` made for databases that no longer exist on this server. */
export async function orphanedRoles(db: Executor): Promise<{ role: string; database: string }[]> {
  const found = await rows<{ role: string; comment: string }>(
    db,
    sql`
    select r.rolname::text as role, pg_catalog.shobj_description(r.oid, 'pg_authid') as comment
    from pg_catalog.pg_roles r
    where pg_catalog.shobj_description(r.oid, 'pg_authid') like 'cis-contact % of database %'
    order by r.rolname`,
  );
  const databases = new Set(
    (await rows<{ name: string }>(db, sql`select datname::text as name from pg_catalog.pg_database`)).map(
      (d) => d.name,
    ),
  );
  return found.flatMap(({ role, comment }) => {
    const owner = storeOfComment(comment);
    return owner && !databases.has(owner.database) ? [{ role, database: owner.database }] : [];
  });
}
