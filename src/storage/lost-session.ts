/**
 * Why a server session went, when the server did not say. PostgreSQL ends a
 * session left idle inside a transaction for longer than the login's
 * idle_in_transaction_session_timeout with a FATAL 25P03 sent while the
 * client is not waiting for an answer; the driver (postgres.js) then reports
 * only that the connection closed. Asked on a new session of the same login,
 * the server tells whether such a limit is set, so the message can name it.
 */

import { sql } from 'drizzle-orm';
import { type Store, rows } from './database.js';

/** The login's idle_in_transaction_session_timeout as the server shows it (`1s`, `10min`), or undefined when none is set or the server cannot be asked. */
export async function idleInTransactionLimit(store: Store): Promise<string | undefined> {
  if (store.driver !== 'postgres') return undefined;
  try {
    const [row] = await rows<{ limit: string }>(
      store.db,
      sql`select pg_catalog.current_setting('idle_in_transaction_session_timeout') as "limit"`,
    );
    return row && row.limit !== '0' ? row.limit : undefined;
  } catch {
    // The server is still away: the lost connection is all there is to say.
    return undefined;
  }
}
