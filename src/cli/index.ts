import { isPostgresWriteAfterClose } from '../storage/postgres-stray-write.js';
import { screenText } from '../domain/screen-text.js';
import { main } from './program.js';

// A closed pipe (`history ... | head`) is the reader saying it has enough: end quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  throw error;
});

// A write postgres.js (pinned) queued on a connection the server has already ended, porsager/postgres#1208:
// see postgres-stray-write.ts and its canary in test/storage/library-internals.test.ts.
process.on('uncaughtException', (error) => {
  if (isPostgresWriteAfterClose(error)) return;
  const lines = String(error.stack ?? error).split('\n').map(screenText);
  process.stderr.write(`cis-contact: internal error: ${lines.join('\n')}\n`);
  process.exit(3);
});

await main(process.argv);
