/**
 * Failures that stop a command. Each carries a stable `code` and a kind; the
 * CLI's exit handler is the one place that turns kinds into exit codes.
 */

import type { IssueCode } from './catalogue.js';

export type FailureKind =
  /** Bad flags or arguments: exit 2. */
  | 'usage'
  /** Input that cannot be processed at all (fatal catalogue codes): exit 2. */
  | 'input'
  /** The database is unreachable or failed: exit 3. */
  | 'storage'
  /** A bug: exit 3. */
  | 'internal'
  /** Stopped by SIGINT or SIGTERM: exit 130 or 143. */
  | 'interrupted';

export class CisError extends Error {
  constructor(
    readonly kind: FailureKind,
    readonly code: IssueCode,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'CisError';
  }
}

/** The same failure, with what the command had already done said first in its hint. */
export function withProgress(error: CisError, done: string): CisError {
  return new CisError(error.kind, error.code, error.message, error.hint ? `${done}; ${error.hint}` : done);
}

export const usageError = (message: string, hint = 'run cis-contact --help, or cis-contact COMMAND --help, for usage') =>
  new CisError('usage', 'usage', message, hint);
export const inputError = (code: IssueCode, message: string, hint?: string) => new CisError('input', code, message, hint);
export const storageError = (code: IssueCode, message: string, hint?: string) => new CisError('storage', code, message, hint);
export const interruptedError = (message: string, hint?: string) => new CisError('interrupted', 'interrupted', message, hint);
