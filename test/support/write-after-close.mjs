/**
 * Makes postgres.js's write-after-close happen (porsager/postgres#1208): in a
 * transaction of the server driver, the server ends the backend while a COPY
 * is being written, and once postgres.js has seen the connection close, the
 * transaction's next statement is sent; this is done again, up to eight
 * times, until postgres.js writes on the closed socket. Installs the CLI's
 * guard and prints, as JSON, how the COPY and the transaction were rejected,
 * the attempts, and how many stray throws the guard swallowed. Anything else
 * uncaught is printed with its stack, exit 3, as the CLI would.
 *   node test/support/write-after-close.mjs DATABASE_URL   (after npm run build)
 */

import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { openServerStore } from '../../dist/storage/server-driver.js';
import { serverConnection } from '../../dist/storage/connection.js';
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
const codeOf = (error) => error?.code ?? error?.cause?.code ?? error?.message;
// The COPY's first row waits on a lock this connection holds, so the COPY is still being written, whatever the
// machine's speed, until the backend is ended: no race against the server taking the rows.
const LOCK = 73_120_803;
const TABLE = `lost_${process.pid}`;
await admin`select pg_advisory_lock(${LOCK})`;

/** One backend ended mid-COPY: how the COPY and its transaction were rejected. */
async function endedMidCopy() {
  const store = await openServerStore(serverConnection(url, {}), 'cis-contact test');
  const outcome = { copy: 'not rejected', transaction: 'not rejected' };
  // postgres.js rejects the transaction as soon as it sees the connection close, while its callback runs on.
  let seenClosed;
  const closed = new Promise((resolve) => {
    seenClosed = resolve;
  });
  await store.db
    .transaction(async (tx) => {
      // In the store's schema, where the driver's COPY names its tables; the ended transaction takes them away.
      await tx.execute(sql.raw(`create table public.${TABLE} (x text)`));
      await tx.execute(
        sql.raw(`create function public.${TABLE}_waits() returns trigger language plpgsql set search_path = pg_catalog as
      $$ begin perform pg_advisory_xact_lock(${LOCK}); return new; end $$`),
      );
      await tx.execute(
        sql.raw(
          `create trigger ${TABLE}_waits before insert on public.${TABLE} for each row execute function public.${TABLE}_waits()`,
        ),
      );
      const [{ pid }] = await tx.execute(sql`select pg_backend_pid() as pid`);
      // Far more than the sockets' buffers hold, so postgres.js is still writing when the backend ends.
      const copying = store.copy(
        tx,
        TABLE,
        ['x'],
        Array.from({ length: 2_000_000 }, () => 'a row\n'),
      );
      // The backend is ended once it waits on the lock: the COPY has begun, and cannot finish.
      for (;;) {
        const [state] = await admin`select wait_event_type from pg_stat_activity where pid = ${pid}`;
        if (state?.wait_event_type === 'Lock') break;
        await new Promise((resolve) => setImmediate(resolve));
      }
      await admin`select pg_terminate_backend(${pid})`;
      await copying.catch((error) => {
        outcome.copy = codeOf(error);
      });
      await closed;
      // What an import would send next on the same transaction, once postgres.js has seen the connection close.
      void tx.execute(sql`select 1`).catch(() => {});
    })
    .catch((error) => {
      outcome.transaction = codeOf(error);
      seenClosed();
    });
  // The stray write is thrown from a setImmediate once postgres.js has written on the closed socket.
  const giveUpAt = Date.now() + 2_000;
  while (swallowed === 0 && Date.now() < giveUpAt) await new Promise((resolve) => setTimeout(resolve, 10));
  await store.close().catch(() => {});
  return outcome;
}

// Whether postgres.js writes on the closed socket depends on when it notices the close, which a loaded machine
// delays: the backend is ended again, up to eight times, until it does. None in eight means it no longer does.
let outcome;
let attempts = 0;
while (swallowed === 0 && attempts < 8) {
  attempts++;
  outcome = await endedMidCopy();
}
await admin.end();
console.log(JSON.stringify({ ...outcome, attempts, swallowed }));
