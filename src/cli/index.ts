import { main } from './program.js';

// A closed pipe (`history ... | head`) is the reader saying it has enough: end quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  throw error;
});

/**
 * postgres.js can write to a socket it has already dropped when a server
 * connection is lost mid-command (porsager/postgres#1154, #1208, open): a
 * TypeError from a timer, after the queries on that connection were already
 * rejected with CONNECTION_CLOSED. The command reports that rejection as a
 * lost connection; this stray throw must not crash it with a stack trace.
 */
process.on('uncaughtException', (error) => {
  if (error instanceof TypeError && /reading 'write'/.test(error.message) && /postgres[\\/]src[\\/]connection\.js/.test(error.stack ?? '')) return;
  process.stderr.write(`cis-contact: internal error: ${error.stack ?? String(error)}\n`);
  process.exit(3);
});

await main(process.argv);
