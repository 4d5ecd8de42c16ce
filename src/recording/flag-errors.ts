/**
 * How a flag the parser refuses reads: one place, so every command and each
 * line of `run` say it in the same words.
 */

import { type CisError, usageError } from '../domain/errors.js';

/** Commander's refusal of a command line as a usage failure; undefined for any other error. */
export function usageErrorOfParser(error: unknown): CisError | undefined {
  const refusal = error as { code?: unknown; message?: unknown } | null;
  if (typeof refusal?.code !== 'string' || !refusal.code.startsWith('commander.')) return undefined;
  const message = String(refusal.message).replace(/^error: /, '');
  const missing = /^option '(--?[\w-]+)[^']*' argument missing$/.exec(message);
  if (missing) return usageError(`${missing[1]} needs a value`);
  // Commander puts its suggestion on a line of its own: kept on the message's one line.
  return usageError(message.replace(/\n\(Did you mean (.+)\?\)$/, '; did you mean $1?'));
}
