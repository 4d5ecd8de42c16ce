/**
 * `db roles --drop`: takes this store's roles off the server (roles outlive
 * their database), and lists the roles `db roles` made for databases that
 * are gone, with the statements that remove them.
 */

import type { CommandResult } from './command-result.js';
import type { Session } from './session.js';
import { usageError } from '../domain/errors.js';
import type { RoleNames } from '../storage/access.js';
import { driverError } from '../storage/database-errors.js';
import type { RolesPrerequisites } from '../storage/role-prerequisites.js';
import { dropRoles, orphanedRoles, rolesNamed } from '../storage/role-removal.js';

/** PostgreSQL's "role cannot be dropped because some objects depend on it". */
const DEPENDENT_OBJECTS = '2BP01';

export async function dropStoreRoles(
  session: Session,
  location: string,
  database: string,
  names: RoleNames,
  may: RolesPrerequisites,
): Promise<CommandResult> {
  const store = await session.store();
  const { ours, others } = await rolesNamed(store.db, database, names);
  if (others.length > 0) {
    const which = others.map((o) => `${o.role} (${o.comment ?? 'no comment'})`).join(', ');
    throw usageError(
      `not dropped: ${which} ${others.length > 1 ? 'are' : 'is'} not this store's (database ${database})`,
      "run cis-contact db roles --drop on the database each role names, or give the --prefix of this store's roles",
    );
  }
  const roles = ours.map((o) => o.role);
  if (roles.length > 0) {
    try {
      await dropRoles(store.db, roles, may.joinAdmin ? roles : []);
    } catch (error) {
      const refusal = driverError(error);
      if (refusal?.code !== DEPENDENT_OBJECTS) throw error;
      const elsewhere = [...new Set([...(refusal.detail ?? '').matchAll(/ in database (\S+)/g)].map((m) => m[1]!))];
      throw usageError(
        `nothing was dropped: ${refusal.message}${elsewhere.length > 0 ? `, in database ${elsewhere.join(', ')}` : ''}`,
        elsewhere.length > 0
          ? `that database holds a copy of this store: run cis-contact db roles there first (it takes back what these roles hold), or drop it`
          : 'see what the roles still own or hold with \\dp in psql',
      );
    }
  }
  const orphans = await orphanedRoles(store.db);
  const dropOrphans = orphans.map((o) => `DROP ROLE "${o.role}";`);
  return {
    exitCode: 0,
    json: { dropped: ours, database, location, orphans },
    report: () => {
      const ui = session.ui;
      if (ours.length === 0)
        ui.say(
          `This store (database ${database}) has no roles named ${Object.values(names).join(', ')}: nothing to drop.`,
        );
      else {
        ui.say(
          `Dropped the roles of database ${database} on ${location}; what they owned there belongs to the database's owner again:`,
        );
        for (const o of ours)
          ui.say(`  ${o.role}${o.members.length > 0 ? `   -- was granted to ${o.members.join(', ')}` : ''}`);
        ui.say(
          'PUBLIC still may not connect: only the owner and superusers can, until cis-contact db roles is run again.',
        );
      }
      if (orphans.length > 0) {
        ui.say('');
        ui.say(
          'Roles made by cis-contact db roles for databases that no longer exist; a database administrator removes them with:',
        );
        for (const [i, o] of orphans.entries()) ui.say(`  ${dropOrphans[i]}   -- database ${o.database}`);
      }
    },
  };
}
