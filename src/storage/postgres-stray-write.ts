/**
 * postgres.js (pinned at 3.4.9 in package.json) can write to a socket it has
 * already dropped: when the server ends a connection mid-command (a restart,
 * a failover, pg_terminate_backend while a COPY is being written), the next
 * statement sent on that connection is rejected as it should be, and then a
 * write it had queued with setImmediate throws a TypeError from the timer,
 * where no caller can catch it: porsager/postgres#1208 (open; also #1154).
 * The command has by then reported the rejection as a lost connection; the
 * stray throw must not crash it with a stack trace.
 *
 * Recognised by where it is thrown, postgres.js's connection.js, so nothing
 * else is ever swallowed. test/storage/library-internals.test.ts makes it
 * happen, and fails once an upgrade no longer throws it (then drop this).
 * Kept free of imports: the CLI loads it at start-up, before any driver.
 */
export function isPostgresWriteAfterClose(error: unknown): boolean {
  return error instanceof TypeError
    && /reading 'write'/.test(error.message)
    && /postgres[\\/]src[\\/]connection\.js/.test(error.stack ?? '');
}
