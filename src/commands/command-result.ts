/**
 * What every command returns to the one exit handler: the exit code, the
 * --json document, and the report for people. Commands own this contract;
 * the command tree above them only carries it out.
 */

export interface CommandResult {
  /** 0 when everything succeeded, 1 when something was rejected. */
  exitCode: 0 | 1;
  /** The --json document. */
  json: unknown;
  /** The result for people, when not --json: written on stdout. */
  report?: () => void;
}
