import type { CommandResult } from './command-result.js';
import type { Session } from './session.js';
import { recordContact } from '../recording/record-contact.js';
import type { RecordFlags } from '../recording/record-flags.js';
import { describeRecordOutcome } from '../terminal/record-report.js';

/** `record`'s own switches, beside the contact's flags. */
export interface RecordSwitches {
  /** Check everything against the store and print what would be stored, writing nothing. */
  dryRun?: boolean;
  /** Refuse the contact if any warning is raised. */
  strict?: boolean;
  /** A contact without --ref the same as one already stored is meant as a second one. */
  again?: boolean;
}

export async function record(
  session: Session,
  flags: RecordFlags,
  switches: RecordSwitches = {},
): Promise<CommandResult> {
  const store = await session.store();
  const dryRun = Boolean(switches.dryRun);
  let defaulted: Promise<string | undefined> | undefined;
  const outcome = await recordContact(
    store.db,
    { ...flags, ...(switches.again ? { again: true } : {}) },
    session.rules(Boolean(switches.strict)),
    {
      chain: session.chainWait(store),
      dryRun,
      defaultOperator: () => (defaulted ??= session.defaultOperator(store)),
    },
  );
  return {
    exitCode: outcome.recorded ? 0 : 1,
    json: dryRun ? { ...outcome, dryRun } : outcome,
    report: () => describeRecordOutcome(session.ui, outcome, dryRun ? 'Dry run (nothing written): ' : '', dryRun),
  };
}
