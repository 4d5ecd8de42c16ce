/**
 * The binary's process wiring: its streams, environment, signals and exit.
 * Everything else is `main`, which a caller may also run in its own process.
 */

import { chalkStderr } from 'chalk';
import chalkStdout from 'chalk';
import {
  isPostgresBareSocketReset,
  isPostgresTypesFetchRejection,
  isPostgresWriteAfterClose,
} from '../storage/postgres-stray-write.js';
import { screenText } from '../domain/screen-text.js';
import { Interrupts } from '../commands/interrupts.js';
import { main } from './program.js';

// A closed pipe (`history ... | head`) is the reader saying it has enough: end quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  throw error;
});

// A write postgres.js (pinned) queued on a connection the server has already ended, porsager/postgres#1208,
// its array-types fetch refused by a pooler, rejected a second time with no handler, and a reset read on the
// bare socket under a TLS connection: each already reached the command as its own failure. See
// postgres-stray-write.ts.
process.on('uncaughtException', (error) => {
  if (isPostgresWriteAfterClose(error) || isPostgresTypesFetchRejection(error) || isPostgresBareSocketReset(error))
    return;
  const lines = String(error.stack ?? error)
    .split('\n')
    .map(screenText);
  process.stderr.write(`cis-contact: internal error: ${lines.join('\n')}\n`);
  process.exit(3);
});

// The first SIGINT or SIGTERM asks the command to stop at its next safe point; a second ends the process.
const interrupts = new Interrupts((code) => process.exit(code));
interrupts.listen(process);
const args = process.argv.slice(2);
process.exitCode = await main(args, {
  args,
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  colourLevels: { stdout: chalkStdout.level, stderr: chalkStderr.level },
  signal: interrupts.signal,
});
interrupts.stop(process);
