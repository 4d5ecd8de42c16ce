import { isPostgresTypesFetchRejection, isPostgresWriteAfterClose } from '../storage/postgres-stray-write.js';
import { screenText } from '../domain/screen-text.js';
import { main } from './program.js';

// A closed pipe (`history ... | head`) is the reader saying it has enough: end quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  throw error;
});

// A write postgres.js (pinned) queued on a connection the server has already ended, porsager/postgres#1208,
// and its array-types fetch refused by a pooler, rejected a second time with no handler: each already
// reached the command as its own failure. See postgres-stray-write.ts and their canaries.
process.on('uncaughtException', (error) => {
  if (isPostgresWriteAfterClose(error) || isPostgresTypesFetchRejection(error)) return;
  const lines = String(error.stack ?? error).split('\n').map(screenText);
  process.stderr.write(`cis-contact: internal error: ${lines.join('\n')}\n`);
  process.exit(3);
});

await main(process.argv);
