/**
 * SIGINT and SIGTERM end a command cleanly: the first asks it to stop (long
 * commands finish or roll back the transaction in hand, release the store and
 * say what was committed); a second ends the process at once. Committed work
 * is safe either way. The binary listens (src/cli/index.ts); a command sees
 * only the AbortSignal, whose reason is the signal's name.
 */

import { constants } from 'node:os';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

export class Interrupts {
  private readonly controller = new AbortController();
  private received: NodeJS.Signals | undefined;

  constructor(private readonly exit: (code: number) => never) {}

  private readonly onSignal = (name: NodeJS.Signals) => {
    if (this.received) this.exit(Interrupts.exitCodeOf(name));
    this.received = name;
    this.controller.abort(name);
  };

  /** Aborted when the first signal arrives. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The shell's convention for a command a signal stopped: 128 + its number. */
  static exitCodeOf(name: NodeJS.Signals): number {
    return 128 + (constants.signals[name] ?? 0);
  }

  /** The exit code of a command whose signal was aborted: a signal's own, else SIGINT's (130). */
  static exitCodeOfAbort(reason: unknown): number {
    const known = typeof reason === 'string' && reason in constants.signals;
    return Interrupts.exitCodeOf(known ? (reason as NodeJS.Signals) : 'SIGINT');
  }

  listen(on: NodeJS.Process): void {
    for (const name of SIGNALS) on.on(name, this.onSignal);
  }

  stop(on: NodeJS.Process): void {
    for (const name of SIGNALS) on.off(name, this.onSignal);
  }
}
