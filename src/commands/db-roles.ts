import type { CommandResult } from './command-result.js';
import type { Session } from './session.js';
import { usageError } from '../domain/errors.js';
import { checkRoles, grantRoles, otherStoresRoles, roleNames } from '../storage/access.js';
import { currentDatabase, rolesPrerequisites, rolesRefusal } from '../storage/role-prerequisites.js';
import { JOBS, type Job, defaultRolePrefix, validRolePrefix } from '../storage/roles.js';
import { dropStoreRoles } from './db-roles-drop.js';

const DUTIES: Record<Job, string> = {
  auditor: 'history, export, verify',
  recorder: 'also record, run, import',
  admin: 'also db migrate, registry import, operators import, db restore',
};

export interface RolesFlags {
  prefix?: string;
  drop?: boolean;
}

export async function dbRoles(session: Session, flags: RolesFlags): Promise<CommandResult> {
  if (flags.prefix !== undefined && !validRolePrefix(flags.prefix)) {
    throw usageError(
      `--prefix ${flags.prefix} is not a plain lower-case name (letters, digits and _, at most 54 characters)`,
    );
  }
  // A login that may not manage roles is told what it lacks before the store's schema check can refuse it less helpfully.
  const store = await session.store({
    check: async (opened) => {
      if (opened.driver === 'pglite') return;
      const may = await rolesPrerequisites(
        opened.db,
        roleNames(flags.prefix ?? defaultRolePrefix(await currentDatabase(opened.db))).admin,
      );
      if (may.missing.length > 0) throw rolesRefusal(opened.location, may);
    },
  });
  if (store.driver === 'pglite') {
    return {
      exitCode: 0,
      json: {
        roles: false,
        driver: store.driver,
        location: store.location,
        reason: 'the embedded store has one user and no logins',
      },
      report: () =>
        session.ui.say(
          `Nothing to do: the embedded store at ${store.location} has one user and no logins. Roles apply to a PostgreSQL server (--database-url or DATABASE_URL).`,
        ),
    };
  }
  const database = await currentDatabase(store.db);
  const prefix = flags.prefix ?? defaultRolePrefix(database);
  const names = roleNames(prefix);
  const may = await rolesPrerequisites(store.db, names.admin);
  if (may.missing.length > 0) throw rolesRefusal(store.location, may);
  if (flags.drop) return dropStoreRoles(session, store.location, database, names, may);
  const { foreign, legacy } = await checkRoles(store.db, database, names);
  if (foreign.length > 0) {
    throw usageError(
      `the role${foreign.length > 1 ? 's' : ''} ${foreign.join(', ')} already exist${foreign.length > 1 ? '' : 's'} on this server for something other than this store`,
      'choose another name with --prefix NAME',
    );
  }
  // A copy of another store (pg_dump, pg_restore) still grants it to that store's roles: they are taken back.
  const copiedFrom = await otherStoresRoles(store.db, database);
  await grantRoles(
    store.db,
    database,
    names,
    [...legacy.map((l) => l.role), ...copiedFrom.map((c) => c.role)],
    may.joinAdmin,
  );
  const grants = JOBS.map((job) => `GRANT ${names[job]} TO login_name;`);
  const carried = legacy.flatMap(({ role, members }) => {
    const job = JOBS.find((j) => role.endsWith(`_${j}`))!;
    return members.map((member) => ({ login: member, formerRole: role, grant: `GRANT ${names[job]} TO ${member};` }));
  });
  return {
    exitCode: 0,
    json: {
      roles: true,
      driver: store.driver,
      location: store.location,
      database,
      prefix,
      created: JOBS.map((j) => names[j]),
      grants,
      formerGrants: carried,
      joinedAdmin: may.joinAdmin ? may.login : null,
      revokedFrom: copiedFrom,
    },
    report: () => {
      const ui = session.ui;
      ui.say(`Roles ready for database ${database} on ${store.location}; PUBLIC may not even connect:`);
      for (const job of JOBS)
        ui.say(`  ${names[job].padEnd(Math.max(...JOBS.map((j) => names[j].length)) + 1)} ${DUTIES[job]}`);
      ui.say('');
      ui.say('Give each login the one role its job needs, as a database administrator (psql):');
      for (const grant of grants) ui.say(`  ${grant}`);
      if (may.joinAdmin) {
        ui.say('');
        ui.say(
          `${may.login} is now a member of ${names.admin}, which owns the store's tables (only a member may hand them to it).`,
        );
      }
      if (copiedFrom.length > 0) {
        ui.say('');
        ui.say(
          "This database is a copy of another store; what that store's roles held here is taken back (the roles stay, for their own store):",
        );
        for (const c of copiedFrom) ui.say(`  ${c.role}   -- of database ${c.database}`);
      }
      if (carried.length > 0) {
        ui.say('');
        ui.say(
          'These logins had this store through the older, server-wide roles, which no longer reach it; to keep their access here:',
        );
        for (const c of carried) ui.say(`  ${c.grant}   -- had ${c.formerRole}`);
      }
    },
  };
}
