import type { CommandResult } from './command-result.js';
import type { Session } from './session.js';
import { type RecordFlags, recordContact } from '../recording/record-contact.js';
import { describeRecordOutcome } from '../terminal/record-report.js';

export async function record(session: Session, flags: RecordFlags): Promise<CommandResult> {
  const store = await session.store();
  const outcome = await recordContact(store.db, flags, session.rules(), { chain: session.chainWait(store) });
  return {
    exitCode: outcome.recorded ? 0 : 1,
    json: outcome,
    report: () => describeRecordOutcome(session.ui, outcome),
  };
}
