import type { CommandResult } from './command-result.js';
import type { Session } from './session.js';
import { storageError, usageError } from '../domain/errors.js';
import { checkRoles, grantRoles, mayCreateRoles, roleNames } from '../storage/access.js';
import { JOBS, type Job, defaultRolePrefix, validRolePrefix } from '../storage/roles.js';

const DUTIES: Record<Job, string> = {
  auditor: 'history, export, verify',
  recorder: 'also record, run, import',
  admin: 'also db migrate, registry import, operators import, db restore',
};

export interface RolesFlags {
  prefix?: string;
}

export async function dbRoles(session: Session, flags: RolesFlags): Promise<CommandResult> {
  if (flags.prefix !== undefined && !validRolePrefix(flags.prefix)) {
    throw usageError(`--prefix ${flags.prefix} is not a plain lower-case name (letters, digits and _, at most 54 characters)`);
  }
  const store = await session.store();
  if (store.driver === 'pglite') {
    return {
      exitCode: 0,
      json: { roles: false, driver: store.driver, location: store.location, reason: 'the embedded store has one user and no logins' },
      report: () => session.ui.say(`Nothing to do: the embedded store at ${store.location} has one user and no logins. Roles apply to a PostgreSQL server (--database-url or DATABASE_URL).`),
    };
  }
  const { login, allowed, database } = await mayCreateRoles(store.db);
  if (!allowed) {
    throw storageError('permission-denied', { value: store.location, detail: `${login} may not create roles` },
      'run cis-contact db roles as a superuser, or as a login with CREATEROLE that the store\'s owner role is granted to');
  }
  const prefix = flags.prefix ?? defaultRolePrefix(database);
  const names = roleNames(prefix);
  const { foreign, legacy } = await checkRoles(store.db, database, names);
  if (foreign.length > 0) {
    throw usageError(`the role${foreign.length > 1 ? 's' : ''} ${foreign.join(', ')} already exist${foreign.length > 1 ? '' : 's'} on this server for something other than this store`,
      'choose another name with --prefix NAME');
  }
  await grantRoles(store.db, database, names, legacy.map((l) => l.role));
  const grants = JOBS.map((job) => `GRANT ${names[job]} TO login_name;`);
  const carried = legacy.flatMap(({ role, members }) => {
    const job = JOBS.find((j) => role.endsWith(`_${j}`))!;
    return members.map((member) => ({ login: member, formerRole: role, grant: `GRANT ${names[job]} TO ${member};` }));
  });
  return {
    exitCode: 0,
    json: { roles: true, driver: store.driver, location: store.location, database, prefix, created: JOBS.map((j) => names[j]), grants, formerGrants: carried },
    report: () => {
      const ui = session.ui;
      ui.say(`Roles ready for database ${database} on ${store.location}; PUBLIC may not even connect:`);
      for (const job of JOBS) ui.say(`  ${names[job].padEnd(Math.max(...JOBS.map((j) => names[j].length)) + 1)} ${DUTIES[job]}`);
      ui.say('');
      ui.say('Give each login the one role its job needs, as a database administrator (psql):');
      for (const grant of grants) ui.say(`  ${grant}`);
      if (carried.length > 0) {
        ui.say('');
        ui.say('These logins had this store through the older, server-wide roles, which no longer reach it; to keep their access here:');
        for (const c of carried) ui.say(`  ${c.grant}   -- had ${c.formerRole}`);
      }
    },
  };
}
