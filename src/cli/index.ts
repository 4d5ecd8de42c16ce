import { main } from './program.js';

// A closed pipe (`history ... | head`) is the reader saying it has enough: end quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  throw error;
});

await main(process.argv);
