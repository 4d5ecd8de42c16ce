/**
 * The stray errors the CLI's last-resort handler lets pass are recognised
 * by their exact shape and nothing wider.
 */

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isPostgresBareSocketReset } from '../../src/storage/postgres-stray-write.js';

/** An error as Node raises it from a TCP read, with the stack it was seen with. */
function readError(code: string, stack: string): Error {
  return Object.assign(new Error(`read ${code}`), { code, syscall: 'read', errno: -104, stack });
}

const BARE_STACK = 'Error: read ECONNRESET\n    at TCP.onStreamRead (node:internal/stream_base_commons:218:20)';

describe('a reset read on the bare socket under a TLS connection', () => {
  it('is recognised only as a read reset whose stack is the TCP read alone', () => {
    expect(isPostgresBareSocketReset(readError('ECONNRESET', BARE_STACK))).toBe(true);
    expect(isPostgresBareSocketReset(readError('EPIPE', BARE_STACK))).toBe(false);
    expect(
      isPostgresBareSocketReset(readError('ECONNRESET', `${BARE_STACK}\n    at Socket.ours (/app/dist/x.js:1:1)`)),
    ).toBe(false);
    expect(isPostgresBareSocketReset(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe(false);
    expect(isPostgresBareSocketReset(null)).toBe(false);
  });

  it('postgres (pinned) still strips the plain socket of its listeners before wrapping it in TLS', () => {
    // When an upgrade stops doing so, the bare socket keeps postgres.js's error listener: drop the recogniser.
    const require = createRequire(import.meta.url);
    // The ESM build the CLI loads (src/), beside the CommonJS one require resolves (cjs/src/).
    const source = readFileSync(join(dirname(require.resolve('postgres')), '../../src/connection.js'), 'utf8');
    expect(source).toMatch(/socket\.removeAllListeners\(\)\s+socket = tls\.connect\(options\)/);
  });
});
