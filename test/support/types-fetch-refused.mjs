/**
 * Makes postgres.js (pinned) leave its array-types fetch unhandled: one
 * statement through a pooler that refuses it (the test holds the pool's only
 * server connection, and query_wait_timeout is short). Installs the CLI's
 * guard and prints, as JSON, how the statement was rejected and how many
 * unhandled rejections the guard recognised. Anything else uncaught is printed
 * with its stack, exit 3, as the CLI would.
 *   node test/support/types-fetch-refused.mjs POOLED_URL   (after npm run build)
 */

import postgres from 'postgres';
import { isPostgresTypesFetchRejection } from '../../dist/storage/postgres-stray-write.js';

let recognised = 0;
process.on('uncaughtException', (error) => {
  if (isPostgresTypesFetchRejection(error)) {
    recognised++;
    return;
  }
  process.stderr.write(`internal error: ${error.stack ?? String(error)}\n`);
  process.exit(3);
});

const sql = postgres(process.argv[2], { max: 1, prepare: false, onnotice: () => {} });
let statement = 'resolved';
try {
  await sql`select 1`;
} catch (error) {
  statement = `${error.code}: ${error.message}`;
}
await sql.end({ timeout: 1 });
// The unhandled rejection is reported on a later turn of the event loop.
await new Promise((resolve) => setTimeout(resolve, 50));
process.stdout.write(JSON.stringify({ statement, recognised }));
