import { Readable } from 'node:stream';
import type { CommandResult } from './command-result.js';
import type { Session } from './session.js';
import { type Issue, issue } from '../domain/catalogue.js';
import type { Database, Transaction } from '../storage/database.js';
import { CisError, usageError } from '../domain/errors.js';
import { recordContact } from '../recording/record-contact.js';
import type { RecordOutcome } from '../domain/outcomes.js';
import { parseRecordArgs } from '../recording/record-options.js';
import { ReferenceCache } from '../import/reference-lookup.js';
import { type ScriptLine, scriptLines } from '../recording/script.js';
import { describeRecordOutcome } from '../terminal/record-report.js';
import { type WhenLost, asStorageFailure, readerLost } from '../storage/database-errors.js';

export interface RunFlags {
  stopOnError?: boolean;
  dryRun?: boolean;
  strict?: boolean;
  /** Start at this line of the script (the lines before it are skipped): what a stop part-way names. */
  fromLine?: string;
}

function firstLine(given: string | undefined): number {
  if (given === undefined) return 1;
  if (!/^\s*\d+\s*$/.test(given) || Number(given) < 1)
    throw usageError(
      `--from-line ${JSON.stringify(given)} is not a line number: give a whole number from 1, as a stopped run names it`,
    );
  return Number(given);
}

/**
 * The command that completes a script from line `from`, as a user pastes it:
 * its path quoted for a shell, its own flags kept (standard input must be
 * given the same script again).
 */
function resumeCommand(script: string, from: number, flags: RunFlags): string {
  const path = /^[\w./-]+$/.test(script) ? script : `'${script.replace(/'/g, `'\\''`)}'`;
  const own = `${flags.strict ? ' --strict' : ''}${flags.stopOnError ? ' --stop-on-error' : ''}`;
  return `cis-contact run ${path} --from-line ${from}${own}${script === '-' ? ' < SCRIPT (the same script again)' : ''}`;
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
    line,
    recorded: true,
    duplicate: outcome.duplicate,
    errors: [],
    warnings: outcome.warnings,
    contacts: outcome.contacts.map(({ id, utr, partnershipUtr }) => ({ id, utr, partnershipUtr })),
  };
}

class DryRunEnd extends Error {}

function countsOf(results: readonly LineResult[]) {
  const duplicate = results.filter((r) => r.recorded && r.duplicate).length;
  const recorded = results.filter((r) => r.recorded).length - duplicate;
  return { recorded, duplicate, failed: results.length - recorded - duplicate };
}

/**
 * What a run says when its server goes: the lines done, each committed on its
 * own, and the line under way. That line may or may not have been committed
 * as the connection went; resuming from it is safe either way (found again, it
 * is a duplicate by its --ref, or refused as same-as-recorded), unless it says
 * --again, which would store it a second time.
 */
function lostAfter(
  results: readonly LineResult[],
  current: ScriptLine | undefined,
  resumeAt: number,
  script: string,
  flags: RunFlags,
): WhenLost {
  const under = current === undefined || current.line === results.at(-1)?.line ? undefined : current;
  const during =
    under === undefined
      ? ''
      : `; the connection went during line ${under.line}, which may or may not have been recorded`;
  let done = 'no line was recorded';
  const [first] = results;
  const last = results.at(-1);
  if (first && last) {
    const { recorded, duplicate, failed } = countsOf(results);
    const span = first === last ? `line ${first.line}` : `lines ${first.line}–${last.line}`;
    done =
      failed === 0
        ? `${span} recorded`
        : `${span} done: ${recorded} recorded, ${duplicate} already recorded, ${failed} failed`;
  }
  const again = under && 'args' in under && under.args.includes('--again');
  const next = again
    ? `once the server is back, see whether line ${under.line} (which says --again) was stored (cis-contact history), then complete the script with ${resumeCommand(script, under.line, flags)}, or with --from-line ${under.last + 1} if it was`
    : `once the server is back, complete the script with ${resumeCommand(script, resumeAt, flags)}: nothing is stored twice${under ? ` (line ${under.line}, if it was stored, is found already recorded)` : ''}`;
  return { done: `${done}${during}`, next };
}

/** A run stopped before the end of standard input (a signal, --stop-on-error) stops reading it: left open, it would keep the process waiting. */
function closeInput(script: string, stdin: NodeJS.ReadableStream): void {
  if (script === '-' && stdin instanceof Readable) stdin.destroy();
}

/**
 * Each line is one `record`, in its own transaction (a savepoint in a dry
 * run), over one connection for the whole script. A dry run is one
 * transaction rolled back at the end, so a later line sees what the earlier
 * ones would have recorded.
 */
export async function run(session: Session, script: string, flags: RunFlags): Promise<CommandResult> {
  const lines = scriptLines(script, session.stdin, firstLine(flags.fromLine));
  const first = await lines.next(); // an unreadable script fails before the store is opened
  const store = await session.store();
  const settings = session.rules(Boolean(flags.strict));
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
  let current: ScriptLine | undefined;
  /** The first line not yet done: where a stop part-way resumes. */
  let resumeAt = firstLine(flags.fromLine);
  let stoppedAt: ScriptLine | undefined;
  let defaulted: Promise<string | undefined> | undefined;
  const defaultOperator = () => (defaulted ??= session.defaultOperator(store));
  const chain = session.chainWait(store);
  // A script on a terminal or a slow pipe waits for its next line: a signal ends that wait too.
  const signalled = new Promise<'signalled'>((resolve) => {
    if (session.signal.aborted) resolve('signalled');
    else session.signal.addEventListener('abort', () => resolve('signalled'), { once: true });
  });
  const nextLine = async () => {
    const next = await Promise.race([lines.next(), signalled]);
    return next === 'signalled' ? { done: true as const, value: undefined } : next;
  };
  const runLines = async (db: Database | Transaction) => {
    const references = new ReferenceCache(db);
    for (let item = first; !item.done; item = await nextLine()) {
      const line = item.value;
      current = line;
      let result: LineResult;
      let outcome: RecordOutcome | undefined;
      if ('error' in line) {
        result = {
          line: line.line,
          recorded: false,
          errors: [issue('line-unreadable', { detail: line.error })],
          warnings: [],
        };
      } else {
        try {
          outcome = await recordContact(db, parseRecordArgs(line.args), settings, {
            references,
            chain,
            defaultOperator,
          });
          result = resultOf(line.line, outcome);
        } catch (error) {
          // Stopped by a signal while it waited for the chain: this line stored nothing, and the report says where to resume.
          if (error instanceof CisError && error.kind === 'interrupted' && session.signal.aborted) break;
          if (!(error instanceof CisError) || error.kind !== 'usage') throw error;
          result = {
            line: line.line,
            recorded: false,
            errors: [{ code: 'usage', field: null, message: error.message }],
            warnings: [],
          };
        }
      }
      results.push(result);
      report(result, outcome);
      resumeAt = line.last + 1;
      if (!result.recorded && flags.stopOnError) {
        stoppedAt = line;
        break;
      }
      // Lines already read, and a store in this process, need no I/O: without a turn of the event loop
      // here a signal would only be seen once the whole script was done.
      await new Promise((resolve) => setImmediate(resolve));
      if (session.signal.aborted) break;
    }
  };
  try {
    if (dryRun) {
      await store.db
        .transaction(async (tx) => {
          await runLines(tx);
          throw new DryRunEnd();
        })
        .catch((error: unknown) => {
          if (!(error instanceof DryRunEnd)) throw error;
        });
    } else await runLines(store.db);
  } catch (error) {
    closeInput(script, session.stdin);
    throw (
      asStorageFailure(
        error,
        store.location,
        session.role,
        dryRun ? readerLost('the dry run is incomplete') : lostAfter(results, current, resumeAt, script, flags),
      ) ?? error
    );
  }
  closeInput(script, session.stdin);
  const { recorded, duplicate, failed } = countsOf(results);
  const partWay = dryRun ? undefined : session.signal.aborted ? resumeAt : stoppedAt?.line;
  return {
    exitCode: failed > 0 ? 1 : 0,
    // Stopped part-way: the --from-line that completes the script (the failing line's own, after --stop-on-error).
    json: {
      lines: results.length,
      recorded,
      duplicate,
      failed,
      dryRun,
      ...(partWay === undefined ? {} : { resumeFromLine: partWay }),
      results,
    },
    report: () => {
      const counts = `${recorded} ${dryRun ? 'would be recorded' : 'recorded'}, ${duplicate} already recorded, ${failed} failed`;
      ui.say(
        `${dryRun ? 'Dry run (nothing written): ' : ''}${results.length} line${results.length === 1 ? '' : 's'}: ${counts}${flags.stopOnError && failed > 0 ? ' (stopped at the first failure)' : ''}`,
      );
      if (session.signal.aborted) {
        const after =
          results.length > 0
            ? `Interrupted after line ${results.at(-1)!.line}`
            : 'Interrupted before any line was done';
        ui.talk(
          dryRun
            ? `${after}; nothing was written (a dry run).`
            : `${after}. To complete the script, with nothing stored twice: ${resumeCommand(script, resumeAt, flags)}`,
        );
      } else if (stoppedAt && !dryRun) {
        ui.talk(
          `Stopped at line ${stoppedAt.line}, which stored nothing. Correct it, then complete the script with: ${resumeCommand(script, stoppedAt.line, flags)} (or --from-line ${stoppedAt.last + 1} to leave that line out)`,
        );
      }
    },
  };
}
