/**
 * Reading commands (history, export, verify) change nothing in the store, so
 * a server lost on the way is told in a reader's words: how far the command
 * got, that nothing in the store changed, and to run it again — never a
 * writer's "what was committed stays".
 */

import type { Session } from './session.js';
import { asStorageFailure, readerLost } from '../storage/database-errors.js';

/** Runs a reading command's work; `howFar` says, if the server goes, what it had done. */
export async function reading<T>(session: Session, work: () => Promise<T>, howFar: () => string): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw asStorageFailure(error, session.location, session.role, readerLost(howFar())) ?? error;
  }
}
