import type { CommandResult } from './command-result.js';
import type { Session } from './session.js';
import { type Issue, issue } from '../domain/catalogue.js';
import type { Database, Transaction } from '../storage/database.js';
import { CisError } from '../domain/errors.js';
import { recordContact } from '../recording/record-contact.js';
import type { RecordOutcome } from '../domain/outcomes.js';
import { parseRecordArgs } from '../recording/record-options.js';
import { ReferenceCache } from '../import/reference-lookup.js';
import { scriptLines } from '../recording/script.js';
import { describeRecordOutcome } from '../terminal/record-report.js';
import { type WhenLost, asStorageFailure, readerLost } from '../storage/errors.js';

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

class DryRunEnd {}

function countsOf(results: readonly LineResult[]) {
  const duplicate = results.filter((r) => r.recorded && r.duplicate).length;
  const recorded = results.filter((r) => r.recorded).length - duplicate;
  return { recorded, duplicate, failed: results.length - recorded - duplicate };
}

/**
 * What a run says when its server goes: the lines done, each committed on its
 * own, and the line under way (not recorded, unless the server committed it
 * as the connection went: a line with --ref is safe to run again either way).
 */
function lostAfter(results: readonly LineResult[], current: number | undefined, script: string): WhenLost {
  const under = current === undefined || current === results.at(-1)?.line ? undefined : current;
  const during = under === undefined ? '' : `; the connection went during line ${under}, which may or may not have been recorded`;
  let done = 'no line was recorded';
  if (results.length > 0) {
    const { recorded, duplicate, failed } = countsOf(results);
    const span = results.length === 1 ? `line ${results[0]!.line}` : `lines ${results[0]!.line}–${results.at(-1)!.line}`;
    done = failed === 0 ? `${span} recorded` : `${span} done: ${recorded} recorded, ${duplicate} already recorded, ${failed} failed`;
  }
  const path = /^[\w./-]+$/.test(script) ? script : `'${script.replace(/'/g, `'\\''`)}'`;
  const onlyTheRest = under !== undefined && script !== '-' ? ` (for lines without one, tail -n +${under} ${path} | cis-contact run - runs only the rest)` : '';
  return {
    done: `${done}${during}`,
    next: `run the same script again to record the rest, once the server is back: a line with --ref is never recorded twice${onlyTheRest}`,
  };
}

/**
 * Each line is one `record`, in its own transaction (a savepoint in a dry
 * run), over one connection for the whole script. A dry run is one
 * transaction rolled back at the end, so a later line sees what the earlier
 * ones would have recorded.
 */
export async function run(session: Session, script: string, flags: RunFlags): Promise<CommandResult> {
  const lines = scriptLines(script, session.stdin);
  const first = await lines.next(); // an unreadable script fails before the store is opened
  const store = await session.store();
  const settings = session.rules();
  const results: LineResult[] = [];
  const ui = session.ui;
  const dryRun = Boolean(flags.dryRun);
  const report = (result: LineResult, outcome?: RecordOutcome) => {
    if (ui.json) return;
    ui.result(() => {
      if (outcome) describeRecordOutcome(ui, outcome, `line ${result.line}: `, dryRun);
      else {
        ui.say(`line ${result.line}: `, ui.colour.red('Not recorded'));
        ui.issues(result.errors);
      }
    });
  };
  /** The line being recorded, if the connection goes. */
  let current: number | undefined;
  const chain = session.chainWait(store);
  const runLines = async (db: Database | Transaction) => {
    const references = new ReferenceCache(db);
    for (let item = first; !item.done; item = await lines.next()) {
      const line = item.value;
      current = line.line;
      let result: LineResult;
      let outcome: RecordOutcome | undefined;
      if ('error' in line) {
        result = { line: line.line, recorded: false, errors: [issue('line-unreadable', { detail: line.error })], warnings: [] };
      } else {
        try {
          outcome = await recordContact(db, parseRecordArgs(line.args), settings, { references, chain });
          result = resultOf(line.line, outcome);
        } catch (error) {
          // Stopped by a signal while it waited for the chain: this line stored nothing, and the report says where to resume.
          if (error instanceof CisError && error.kind === 'interrupted' && session.signal.aborted) break;
          if (!(error instanceof CisError) || error.kind !== 'usage') throw error;
          result = { line: line.line, recorded: false, errors: [{ code: 'usage', field: null, message: error.message }], warnings: [] };
        }
      }
      results.push(result);
      report(result, outcome);
      if (!result.recorded && flags.stopOnError) break;
      if (session.signal.aborted) break;
    }
  };
  try {
    if (dryRun) {
      await store.db.transaction(async (tx) => {
        await runLines(tx);
        throw new DryRunEnd();
      }).catch((error: unknown) => {
        if (!(error instanceof DryRunEnd)) throw error;
      });
    } else await runLines(store.db);
  } catch (error) {
    throw asStorageFailure(error, store.location, session.role, dryRun ? readerLost('the dry run is incomplete') : lostAfter(results, current, script)) ?? error;
  }
  const { recorded, duplicate, failed } = countsOf(results);
  return {
    exitCode: failed > 0 ? 1 : 0,
    json: { lines: results.length, recorded, duplicate, failed, dryRun, results },
    report: () => {
      const counts = `${recorded} ${dryRun ? 'would be recorded' : 'recorded'}, ${duplicate} already recorded, ${failed} failed`;
      ui.say(`${dryRun ? 'Dry run (nothing written): ' : ''}${results.length} line${results.length === 1 ? '' : 's'}: ${counts}${flags.stopOnError && failed > 0 ? ' (stopped at the first failure)' : ''}`);
      if (session.signal.aborted) ui.talk(`Interrupted after line ${results.at(-1)?.line ?? 0}. Run the same script again to complete it: lines with --ref record nothing twice.`);
    },
  };
}
