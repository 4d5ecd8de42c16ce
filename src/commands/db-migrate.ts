import type { CommandResult } from './command-result.js';
import type { Session } from './session.js';

export async function dbMigrate(session: Session): Promise<CommandResult> {
  const store = await session.store({ migrate: true });
  const applied = session.migrationsApplied;
  return {
    exitCode: 0,
    json: { migrated: true, applied, driver: store.driver, location: store.location },
    report: () =>
      session.ui.say(
        applied > 0
          ? `Applied ${applied} migration${applied === 1 ? '' : 's'} to ${store.location}.`
          : `The schema in ${store.location} is up to date.`,
      ),
  };
}
