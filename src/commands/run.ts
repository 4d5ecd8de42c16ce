import type { CommandResult } from '../cli/exit-handler.js';
import type { Session } from '../cli/session.js';
import type { Issue } from '../domain/catalogue.js';
import { CisError } from '../domain/errors.js';
import { type RecordOutcome, recordContact } from '../import/record-contact.js';
import { parseRecordArgs } from '../import/record-options.js';
import { ReferenceCache } from '../import/reference-lookup.js';
import { scriptLines } from '../import/script.js';
import { describeRecordOutcome } from '../reporting/record-report.js';

export interface RunFlags {
  stopOnError?: boolean;
  dryRun?: boolean;
}

interface LineResult {
  line: number;
  recorded: boolean;
  duplicate?: boolean;
  contacts?: { id: number; utr: string; partnershipUtr: string | null }[];
  errors: Issue[];
  warnings: Issue[];
}

function resultOf(line: number, outcome: RecordOutcome): LineResult {
  if (!outcome.recorded) return { line, recorded: false, errors: outcome.errors, warnings: outcome.warnings };
  return {
    line, recorded: true, duplicate: outcome.duplicate, errors: [], warnings: outcome.warnings,
    contacts: outcome.contacts.map(({ id, utr, partnershipUtr }) => ({ id, utr, partnershipUtr })),
  };
}

/** Each line is one `record`, in its own transaction, over one connection for the whole script. */
export async function run(session: Session, script: string, flags: RunFlags): Promise<CommandResult> {
  const lines = scriptLines(script);
  const first = await lines.next(); // an unreadable script fails before the store is opened
  const store = await session.store();
  const settings = session.rules();
  const references = new ReferenceCache(store.db);
  const results: LineResult[] = [];
  const ui = session.ui;
  const report = (result: LineResult, outcome?: RecordOutcome) => {
    if (ui.json) return;
    if (outcome) describeRecordOutcome(ui, outcome, `line ${result.line}: `);
    else {
      ui.say(`line ${result.line}: ${ui.colour.red('Not recorded')}`);
      ui.issues(result.errors);
    }
  };
  for (let item = first; !item.done; item = await lines.next()) {
    const line = item.value;
    let result: LineResult;
    let outcome: RecordOutcome | undefined;
    if ('error' in line) {
      result = { line: line.line, recorded: false, errors: [{ code: 'usage', field: null, message: line.error }], warnings: [] };
    } else {
      try {
        outcome = await recordContact(store.db, parseRecordArgs(line.args), settings, { references, dryRun: flags.dryRun });
        result = resultOf(line.line, outcome);
      } catch (error) {
        if (!(error instanceof CisError) || error.kind !== 'usage') throw error;
        result = { line: line.line, recorded: false, errors: [{ code: 'usage', field: null, message: error.message }], warnings: [] };
      }
    }
    results.push(result);
    report(result, outcome);
    if (!result.recorded && flags.stopOnError) break;
    if (session.signal.aborted) break;
  }
  const recorded = results.filter((r) => r.recorded).length;
  const failed = results.length - recorded;
  return {
    exitCode: failed > 0 ? 1 : 0,
    json: { lines: results.length, recorded, failed, dryRun: Boolean(flags.dryRun), results },
    report: () => {
      ui.say(`${flags.dryRun ? 'Dry run: ' : ''}${results.length} line${results.length === 1 ? '' : 's'}: ${recorded} recorded${flags.dryRun ? ' (nothing written)' : ''}, ${failed} failed${flags.stopOnError && failed > 0 ? ' (stopped at the first failure)' : ''}`);
      if (session.signal.aborted) ui.say(`Interrupted after line ${results.at(-1)?.line ?? 0}. Run the same script again to complete it: lines with --ref record nothing twice.`);
    },
  };
}
