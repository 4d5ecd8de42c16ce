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
  return (
    error instanceof TypeError &&
    /reading 'write'/.test(error.message) &&
    /postgres[\\/]src[\\/]connection\.js/.test(error.stack ?? '')
  );
}

/** The query postgres.js (pinned) sends on each new connection to learn the server's array types. */
const ARRAY_TYPES_QUERY = /select b\.oid, b\.typarray\s+from pg_catalog\.pg_type a/;

/**
 * postgres.js (pinned at 3.4.9) asks a new connection for the server's array
 * types before it runs the caller's first statement, and leaves that inner
 * promise without a handler: when the server or a pooler refuses it (PgBouncer's
 * query_wait_timeout, with every server connection taken), the caller's
 * statement is rejected with the error, as it should be, and the same error
 * is also an unhandled rejection that would crash the command with a stack
 * trace after its message. Recognised by the query it carries, so nothing else
 * is swallowed; test/e2e/pooler.test.ts ("postgres … leaves a refused
 * array-types fetch unhandled") makes it happen, and fails once an upgrade
 * handles it (then drop this).
 */
export function isPostgresTypesFetchRejection(error: unknown): boolean {
  const query = (error as { query?: unknown } | null)?.query;
  return (
    (error as Error | null)?.name === 'PostgresError' && typeof query === 'string' && ARRAY_TYPES_QUERY.test(query)
  );
}

/**
 * postgres.js (pinned at 3.4.9) upgrades a connection to TLS by removing
 * every listener from the plain TCP socket (`socket.removeAllListeners()` in
 * its connection.js `secure`) and wrapping it. When the server then resets
 * the connection (pg_terminate_backend, a restart), the reset may be read on
 * that bare TCP socket, which has no 'error' listener left: Node throws
 * `read ECONNRESET` from `TCP.onStreamRead`, with no caller's frame, where
 * nothing can catch it. The wrapping TLS socket reports the same loss to
 * postgres.js, which rejects the statement, and the command has already
 * said so as a lost connection (seen in test/e2e/server-lost.test.ts, "a run
 * whose connection goes", about one run in five). Recognised by exactly that
 * shape: a read reset whose stack holds nothing but the TCP read.
 */
export function isPostgresBareSocketReset(error: unknown): boolean {
  const e = error as (NodeJS.ErrnoException & { stack?: string }) | null;
  if (!e || e.code !== 'ECONNRESET' || e.syscall !== 'read') return false;
  const frames = (e.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  return frames.length === 1 && /TCP\.onStreamRead/.test(frames[0] ?? '');
}
