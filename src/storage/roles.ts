/**
 * The group roles of a PostgreSQL server store, one per job (see access.ts
 * for their grants). Roles belong to the whole server, not to a database, so
 * each store's roles carry a prefix of their own: a grant for one store means
 * nothing in another.
 */

export type Job = 'auditor' | 'recorder' | 'admin';

export const JOBS: readonly Job[] = ['auditor', 'recorder', 'admin'];

/** The jobs, by name, for the command tree. */
export const ROLES = { auditor: 'auditor', recorder: 'recorder', admin: 'admin' } as const satisfies Record<Job, Job>;

/** Stores set up before roles had a prefix used these, shared by every store on the server. */
export const LEGACY_PREFIX = 'cis_contact';

/** PostgreSQL's limit on a name, in bytes, less the longest `_<job>`. */
const PREFIX_MAX = 63 - '_recorder'.length;

export function roleName(prefix: string, job: Job): string {
  return `${prefix}_${job}`;
}

/** `cis_contact_<database>`, folded to a plain lower-case identifier. */
export function defaultRolePrefix(database: string): string {
  const folded = database.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  return `${LEGACY_PREFIX}_${folded}`.slice(0, PREFIX_MAX);
}

/** A prefix the user gave: a plain identifier, short enough for every role. */
export function validRolePrefix(prefix: string): boolean {
  return /^[a-z_][a-z0-9_]*$/.test(prefix) && prefix.length <= PREFIX_MAX;
}

/** The comment that marks a role as this store's (so a role of the same name made for something else is never taken over). */
export function roleComment(database: string, job: Job): string {
  return `cis-contact ${job} of database ${database}`;
}

/** The job and database a role's comment names, when `db roles` made the role. */
export function storeOfComment(comment: string | null): { job: Job; database: string } | undefined {
  const match = /^cis-contact (auditor|recorder|admin) of database (.+)$/s.exec(comment ?? '');
  return match ? { job: match[1] as Job, database: match[2]! } : undefined;
}

/** The database a connection string names (postgres.js, like libpq, defaults it to the user). */
export function databaseOf(url: string): string {
  const u = new URL(url);
  return decodeURIComponent(u.pathname.replace(/^\//, '')) || decodeURIComponent(u.username) || 'postgres';
}
