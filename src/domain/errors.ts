/**
 * Failures that stop a command. Each carries a stable `code` and a kind; the
 * CLI's exit handler is the one place that turns kinds into exit codes.
 */

export type FailureKind =
  /** Bad flags or arguments: exit 2. */
  | 'usage'
  /** Input that cannot be processed at all (fatal catalogue codes): exit 2. */
  | 'input'
  /** The database is unreachable or failed: exit 3. */
  | 'storage'
  /** A bug: exit 3. */
  | 'internal';

export class CisError extends Error {
  constructor(
    readonly kind: FailureKind,
    readonly code: string,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'CisError';
  }
}

export const usageError = (message: string, hint = 'run cis-contact --help, or cis-contact COMMAND --help, for usage') =>
  new CisError('usage', 'usage', message, hint);
export const inputError = (code: string, message: string, hint?: string) => new CisError('input', code, message, hint);
export const storageError = (code: string, message: string, hint?: string) => new CisError('storage', code, message, hint);
