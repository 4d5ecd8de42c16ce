/**
 * A command's side of the resident holder (holder-server.ts), once it
 * answers (holder-start.ts): postgres.js talks to it as to a server. The
 * store handed out is still the embedded store (driver `pglite`: it migrates
 * itself, has no roles), only reached over a socket; it writes bulk rows
 * with INSERT, since PGlite cannot take COPY FROM STDIN over the wire.
 */

import { sql } from 'drizzle-orm';
import { interruptedError } from '../domain/errors.js';
import { copyTextValue, copyWriter } from './bulk-copy.js';
import type { ServerConnection } from './connection.js';
import type { CopySender, Store } from './database.js';
import { assertRoom, guardTransactions } from './disk-space.js';
import { HOLDER_PORT, HOLDER_WAIT_NOTICE, type HolderAddress } from './holder-address.js';
import { openServerStore } from './server-driver.js';

/**
 * COPY text sent as INSERT: each line's values decoded as COPY would read
 * them (`\N` is null; the escapes undone) and given to the server as JSON
 * rows, which it converts to each column's type with the type's own input,
 * as COPY does.
 */
const insertAsCopy =
  (dataDir: string): CopySender =>
  async (tx, table, columns, text) => {
    if (text.length === 0) return;
    assertRoom(dataDir);
    const lines = text.join('').split('\n');
    lines.pop(); // the text ends with a line break
    const rows = lines.map((line) => {
      const fields = line.split('\t');
      if (fields.length !== columns.length) {
        throw new Error(`a COPY line for ${table} has ${fields.length} fields for ${columns.length} columns`);
      }
      const row: Record<string, string | null> = {};
      columns.forEach((column, i) => {
        const field = fields[i] ?? '\\N';
        row[column] = field === '\\N' ? null : copyTextValue(field);
      });
      return row;
    });
    const target = sql.raw(`public.${table}`);
    const list = sql.raw(columns.join(', '));
    await tx.execute(
      sql`insert into ${target} (${list}) select ${list} from pg_catalog.json_populate_recordset(null::${target}, ${JSON.stringify(rows)}::pg_catalog.json)`,
    );
  };

/**
 * The embedded store in `dataDir` through its holder, which answers at
 * `address`. `onWait` is told what the holder says while this command waits
 * for its turn behind another's (wire-relay.ts); `signal` (the first SIGINT
 * or SIGTERM) ends that wait, with nothing read or written.
 */
export async function openHeldStore(
  dataDir: string,
  address: HolderAddress,
  applicationName: string,
  onWait?: (message: string) => void,
  signal?: AbortSignal,
): Promise<Store> {
  const connection: ServerConnection = {
    hosts: [address.folder],
    ports: [HOLDER_PORT],
    database: 'postgres',
    user: 'postgres',
    password: undefined,
    sslMode: 'disable',
    sslRootCert: undefined,
    applicationName: undefined,
    // None: the holder, found answering (holder-start.ts), takes a new connection's startup in its turn, so a
    // command behind a long transaction waits for as long as that lasts, told now and then who holds the store.
    // A timeout here would end that wait with a failure that blames the connection.
    connectTimeout: 0,
    location: dataDir,
  };
  const served = await openServerStore(connection, applicationName, {
    connections: 1,
    // Only the holder's own word: PGlite's notices (a migration's "already exists, skipping") stay unsaid.
    onNotice: (notice) => {
      if (notice.code === '00000' && notice.message?.startsWith(HOLDER_WAIT_NOTICE)) onWait?.(notice.message);
    },
  });
  guardTransactions(served.db, dataDir);
  if (signal) await ourTurn(served, dataDir, signal);
  const copy = insertAsCopy(dataDir);
  return {
    db: served.db,
    driver: 'pglite',
    location: dataDir,
    bulkWriter: copyWriter(copy),
    copy,
    close: (options) => served.close(options),
  };
}

/**
 * Waits for this command's turn at the holder: its connection is taken in
 * when no other client is inside a transaction. A signal ends the wait (the
 * connection goes; the holder lets go of a client that leaves while it
 * waits), where it would otherwise end only at the next safe point the
 * command reaches, after its turn came.
 */
async function ourTurn(served: Store, dataDir: string, signal: AbortSignal): Promise<void> {
  const stopped = () =>
    interruptedError({ detail: `while waiting for its turn at the store ${dataDir}; nothing was read or written` });
  if (signal.aborted) {
    await served.close({ now: true });
    throw stopped();
  }
  let onAbort = () => {};
  const aborted = new Promise<'aborted'>((resolve) => {
    onAbort = () => resolve('aborted');
    signal.addEventListener('abort', onAbort, { once: true });
  });
  const turn = served.db.execute(sql`select 1`).then(() => 'served' as const);
  try {
    if ((await Promise.race([turn, aborted])) === 'aborted') {
      // The statement fails as its connection goes: both settle before the command says it stopped.
      await Promise.allSettled([served.close({ now: true }), turn]);
      throw stopped();
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
