/**
 * The one place that turns results and failures into output and an exit code
 *: 0 success; 1 finished but something was rejected; 2 usage error or
 * fatal input; 3 storage or internal failure. Never a stack trace for bad
 * input; set CIS_CONTACT_DEBUG=1 to see one for an internal failure.
 */

import { CisError, type FailureKind, usageError } from '../domain/errors.js';
import { asStorageFailure, isLostConnection } from '../storage/database-errors.js';
import { Interrupts } from '../commands/interrupts.js';
import type { Session } from '../commands/session.js';
import type { CommandResult } from '../commands/command-result.js';

const EXIT_CODES: Record<FailureKind, number> = { usage: 2, input: 2, storage: 3, internal: 3, interrupted: 130 };

function classify(error: unknown, session: Session): CisError {
  if (error instanceof CisError) return error;
  const commander = error as { code?: string; exitCode?: number; message?: string };
  if (typeof commander.code === 'string' && commander.code.startsWith('commander.')) {
    return usageError((commander.message ?? '').replace(/^error: /, ''));
  }
  const storage = asStorageFailure(error, session.location, session.role);
  if (storage) return storage;
  return new CisError(
    'internal',
    'internal-error',
    { detail: (error as Error)?.message ?? String(error) },
    'this is a bug in cis-contact; run again with CIS_CONTACT_DEBUG=1 for details',
  );
}

/** Runs a command, says how it went and returns its exit code. */
export async function runCommand(session: Session, command: () => Promise<CommandResult>): Promise<number> {
  let exitCode: number;
  // A connection known to be gone is let go of at once: a polite close would wait its full timeout on it.
  let connectionGone = false;
  try {
    const result = await command();
    if (session.ui.json) session.ui.document(result.json);
    else if (result.report) session.ui.result(result.report);
    exitCode = result.exitCode;
  } catch (error) {
    const storage = error instanceof CisError ? error : asStorageFailure(error, session.location);
    if (storage?.code === 'permission-denied') await session.learnRolePrefix();
    if (isLostConnection(storage)) await session.learnWhyLost();
    connectionGone = storage?.code === 'database-unreachable';
    exitCode = fail(session, error);
  }
  try {
    await session.close({ now: connectionGone });
  } catch (error) {
    if (exitCode === 0) exitCode = fail(session, error);
  }
  // Stopped by a signal: the shell's convention, 128 + its number, whatever was finished.
  return session.signal.aborted ? Interrupts.exitCodeOfAbort(session.signal.reason) : exitCode;
}

export function fail(session: Session, error: unknown): number {
  const failure = classify(error, session);
  const ui = session.ui;
  const c = ui.colour;
  // The message may quote what a file or the store holds: `say` shows it screen-safe.
  ui.say(
    c.red('cis-contact:'),
    ` ${failure.message}`,
    c.dim(failure.code !== 'usage' && failure.code !== 'internal-error' ? ` [${failure.code}]` : ''),
  );
  if (failure.hint) ui.say('  ', c.dim(failure.hint));
  if (session.lostSessionNote && isLostConnection(failure)) ui.say('  ', c.dim(session.lostSessionNote));
  if (failure.kind === 'internal' && session.env.CIS_CONTACT_DEBUG)
    for (const line of String((error as Error)?.stack ?? error).split('\n')) ui.say(line);
  if (ui.json) ui.document({ error: { code: failure.code, message: failure.message } });
  return EXIT_CODES[failure.kind];
}
