/**
 * Waiting on what a test can observe — a line the process printed, a count in
 * the store — never on the clock: a loaded machine is slower, not wrong. Each
 * wait fails with what it waited for if the process ends first, and gives up
 * after PATIENCE_MS only so that a hang fails with a message of its own
 * before the test's timeout does; nothing is ever decided by elapsed time.
 */

import { type Started, sleep } from './cli.js';

/** Generous for a loaded 2-core machine; under vitest's 120 s test timeout, so this message is the one seen. */
export const PATIENCE_MS = 90_000;
/** How often a condition is looked at again: pacing only. */
const POLL_MS = 20;

/** Resolves once `check` holds; fails if `started` (when given) ends first, or after PATIENCE_MS. */
export async function until(what: string, check: () => boolean | Promise<boolean>, started?: Started): Promise<void> {
  let ended = false;
  void started?.exited.then(() => (ended = true));
  const giveUp = Date.now() + PATIENCE_MS;
  while (!(await check())) {
    // Everything a process printed has arrived by the time it has ended: look once more, then fail.
    if (ended) {
      if (await check()) return;
      throw new Error(
        `the process ended before ${what}; stderr: ${started!.stderr().slice(-500)} stdout: ${started!.stdout().slice(-500)}`,
      );
    }
    if (Date.now() > giveUp) throw new Error(`gave up after ${PATIENCE_MS / 1000} s waiting for ${what}`);
    await sleep(POLL_MS);
  }
}

/** Waits until the process has printed `count` lines matching `line` (a /m regex anchored with ^) on stdout. */
export function untilPrinted(started: Started, line: RegExp, count: number): Promise<void> {
  const pattern = new RegExp(line.source, 'gm');
  return until(
    `${count} lines matching ${line} on stdout`,
    () => (started.stdout().match(pattern) ?? []).length >= count,
    started,
  );
}

/** The rows an import started with `--progress json` has reported committed so far (its latest progress event). */
export function reportedRows(started: Started): number {
  const events = started.stderr().match(/^\{"event":"progress",.*\}$/gm) ?? [];
  return events.length === 0 ? 0 : (JSON.parse(events[events.length - 1]!) as { rowsRead: number }).rowsRead;
}

/** Waits until an import started with `--progress json` has reported at least `rows` rows committed. */
export function untilCommitted(started: Started, rows: number): Promise<void> {
  return until(`the import to report ${rows} rows committed`, () => reportedRows(started) >= rows, started);
}
