import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rows } from '../../src/storage/database.js';
import { openServerStore } from '../../src/storage/server-driver.js';
import { SERVER_URL } from '../support/targets.js';

/** The same server behind a first host that refuses connections: postgres.js's multi-host form. */
function behindRefusingHost(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.username}@127.0.0.1:1,${u.hostname}:${u.port || 5432}${u.pathname}`;
}

// The driver opens its own sockets (for TCP_NODELAY); postgres.js must still move on through a URL's hosts.
describe.skipIf(!SERVER_URL)('server driver connections', () => {
  it('connects through the next host of a multi-host URL when the first refuses', async () => {
    const store = await openServerStore(behindRefusingHost(SERVER_URL!));
    try {
      const [row] = await rows<{ answer: number }>(store.db, sql`select 42 as answer`);
      expect(row).toEqual({ answer: 42 });
    } finally {
      await store.close();
    }
  });
});
