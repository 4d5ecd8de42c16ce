/**
 * SIGINT and SIGTERM end a command cleanly: the first asks it to stop (long
 * commands finish or roll back the transaction in hand, release the store and
 * say what was committed); a second ends the process at once. Committed work
 * is safe either way.
 */

import { constants } from 'node:os';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

export class Interrupts {
  private readonly controller = new AbortController();
  private received: NodeJS.Signals | undefined;

  private readonly onSignal = (name: NodeJS.Signals) => {
    if (this.received) process.exit(Interrupts.exitCodeOf(name));
    this.received = name;
    this.controller.abort(name);
  };

  /** Aborted when the first signal arrives. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get by(): NodeJS.Signals | undefined {
    return this.received;
  }

  static exitCodeOf(name: NodeJS.Signals): number {
    return 128 + (constants.signals[name] ?? 0);
  }

  listen(): void {
    for (const name of SIGNALS) process.on(name, this.onSignal);
  }

  stop(): void {
    for (const name of SIGNALS) process.off(name, this.onSignal);
  }
}
