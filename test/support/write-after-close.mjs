/**
 * Makes postgres.js's write-after-close happen (porsager/postgres#1208): in a
 * transaction of the server driver, the server ends the backend while a COPY
 * is being written, then, once postgres.js has seen the connection close,
 * the transaction's next statement is sent. Installs
 * the CLI's guard and prints, as JSON, how the COPY and the next statement
 * were rejected and how many stray throws the guard swallowed. Anything else
 * uncaught is printed with its stack, exit 3, as the CLI would.
 *   node test/support/write-after-close.mjs DATABASE_URL   (after npm run build)
 */

import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { openServerStore } from '../../dist/storage/server-driver.js';
import { isPostgresWriteAfterClose } from '../../dist/storage/postgres-stray-write.js';

let swallowed = 0;
process.on('uncaughtException', (error) => {
  if (isPostgresWriteAfterClose(error)) {
    swallowed++;
    return;
  }
  process.stderr.write(`internal error: ${error.stack ?? String(error)}\n`);
  process.exit(3);
});

const url = process.argv[2];
const admin = postgres(url, { max: 1, onnotice: () => {} });
const store = await openServerStore(url);
const codeOf = (error) => error?.code ?? error?.cause?.code ?? error?.message;
const outcome = { copy: 'not rejected', next: 'not rejected', transaction: 'not rejected' };
// postgres.js rejects the transaction as soon as it sees the connection close, while its callback runs on.
let seenClosed;
const closed = new Promise((resolve) => { seenClosed = resolve; });
await store.db.transaction(async (tx) => {
  await tx.execute(sql`create temp table lost (x text)`);
  const [{ pid }] = await tx.execute(sql`select pg_backend_pid() as pid`);
  // More than the socket holds, so the COPY is still being written when the backend ends.
  const copying = store.copy(tx, 'lost', ['x'], Array.from({ length: 500_000 }, () => 'a row\n'));
  await admin`select pg_terminate_backend(${pid})`;
  await copying.catch((error) => { outcome.copy = codeOf(error); });
  await closed;
  // What an import's next batch would send on the same transaction.
  await tx.execute(sql`select 1`).catch((error) => { outcome.next = codeOf(error); });
}).catch((error) => {
  outcome.transaction = codeOf(error);
  seenClosed();
});
// The stray write is thrown from a setImmediate: give it its turn.
await new Promise((resolve) => setTimeout(resolve, 200));
await admin.end();
await store.close().catch(() => {});
console.log(JSON.stringify({ ...outcome, swallowed }));
