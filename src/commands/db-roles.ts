import type { CommandResult } from '../cli/exit-handler.js';
import type { Session } from '../cli/session.js';
import { storageError } from '../domain/errors.js';
import { grantRoles, mayCreateRoles } from '../storage/access.js';
import { ROLES } from '../storage/roles.js';

const JOBS = [
  { role: ROLES.auditor, job: 'history, export, verify' },
  { role: ROLES.recorder, job: 'also record, run, import' },
  { role: ROLES.admin, job: 'also db migrate, registry import, operators import, db restore' },
];

export async function dbRoles(session: Session): Promise<CommandResult> {
  const store = await session.store();
  if (store.driver === 'pglite') {
    return {
      exitCode: 0,
      json: { roles: false, driver: store.driver, location: store.location, reason: 'the embedded store has one user and no logins' },
      report: () => session.ui.say(`Nothing to do: the embedded store at ${store.location} has one user and no logins. Roles apply to a PostgreSQL server (--database-url or DATABASE_URL).`),
    };
  }
  const { login, allowed } = await mayCreateRoles(store.db);
  if (!allowed) {
    throw storageError('permission-denied', `the database login ${login} may not create roles at ${store.location}`,
      'run cis-contact db roles as a superuser, or as a login with CREATEROLE that the store\'s owner role is granted to');
  }
  await grantRoles(store.db);
  const grants = JOBS.map(({ role }) => `GRANT ${role} TO login_name;`);
  return {
    exitCode: 0,
    json: { roles: true, driver: store.driver, location: store.location, created: JOBS.map((j) => j.role), grants },
    report: () => {
      const ui = session.ui;
      ui.say(`Roles ready on ${store.location}; nothing is granted to PUBLIC:`);
      for (const { role, job } of JOBS) ui.say(`  ${role.padEnd(21)} ${job}`);
      ui.say('');
      ui.say('Give each login the one role its job needs, as a database administrator (psql):');
      for (const grant of grants) ui.say(`  ${grant}`);
    },
  };
}
