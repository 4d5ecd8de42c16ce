/**
 * Failures that stop a command. Each carries a stable `code` and a kind; the
 * CLI's exit handler is the one place that turns kinds into exit codes.
 */

import { type Issue, type IssueCode, type IssueParams, issue } from './catalogue.js';

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

/** `& object`: a bare string would otherwise pass for the params (a string has a `length`). */
type Params = IssueParams & object;

/**
 * A failure's message is always its code's catalogue template rendered with
 * `params`: there is no way to give one in other words, so what the tool
 * prints is what `cis-contact codes` and docs/codes.md show. The hint (what
 * to do about it) is the raiser's own.
 */
export class CisError extends Error {
  constructor(
    readonly kind: FailureKind,
    readonly code: IssueCode,
    readonly params: Params,
    readonly hint?: string,
    /** Several problems found at once (inputErrorOf): each said in its own template's words. */
    readonly issues?: readonly Issue[],
  ) {
    super(issues ? issues.map((i) => i.message).join('; ') : issue(code, params).message);
    this.name = 'CisError';
  }
}

/** The same failure, with what the command had already done said first in its hint. */
export function withProgress(error: CisError, done: string): CisError {
  return new CisError(error.kind, error.code, error.params, error.hint ? `${done}; ${error.hint}` : done, error.issues);
}

export const usageError = (
  message: string,
  hint = 'run cis-contact --help, or cis-contact COMMAND --help, for usage',
) => new CisError('usage', 'usage', { detail: message }, hint);
export const inputError = (code: IssueCode, params: Params, hint?: string) => new CisError('input', code, params, hint);
export const storageError = (code: IssueCode, params: Params, hint?: string) =>
  new CisError('storage', code, params, hint);
export const interruptedError = (params: Params, hint?: string) =>
  new CisError('interrupted', 'interrupted', params, hint);

/** Input with several problems found at once (a header): one failure under the first code, each problem in its own template's words. */
export function inputErrorOf(issues: readonly [Issue, ...Issue[]], hint?: string): CisError {
  return new CisError('input', issues[0].code, {}, hint, issues);
}
