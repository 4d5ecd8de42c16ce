/**
 * Canaries for the library internals the storage layer relies on, each pinned
 * to an exact version in package.json: an upgrade that changes one fails
 * here, by name, rather than somewhere in an import.
 */

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rows } from '../../src/storage/database.js';
import { DRIVERS, SERVER_URL, createTarget } from '../support/targets.js';

const root = join(import.meta.dirname, '../..');
const pinned = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).dependencies as Record<string, string>;
const packageDir = (name: string) => join(root, 'node_modules', name);
const installed = (name: string) =>
  (JSON.parse(readFileSync(join(packageDir(name), 'package.json'), 'utf8')) as { version: string }).version;

describe('library internals, pinned', () => {
  it.each(['postgres', 'drizzle-orm'])('%s is pinned to the exact version installed', (name) => {
    expect(pinned[name]).toMatch(/^\d+\.\d+\.\d+$/);
    expect(installed(name)).toBe(pinned[name]);
  });

  describe.each(DRIVERS)(
    `drizzle-orm ${pinned['drizzle-orm']} still exposes a transaction's driver client as tx.session.client (%s)`,
    (driver) => {
      it('is the transaction the drizzle queries run in', async () => {
        const target = await createTarget(driver);
        const store = await target.open();
        try {
          await store.db.transaction(async (tx) => {
            const client = (tx as unknown as { session: { client: unknown } }).session.client;
            const [viaDrizzle] = await rows<{ id: string }>(tx, sql`select txid_current()::text as id`);
            const viaClient =
              driver === 'postgres'
                ? (await (client as postgres.TransactionSql).unsafe('select txid_current()::text as id'))[0]
                : (
                    await (client as { query(q: string): Promise<{ rows: { id: string }[] }> }).query(
                      'select txid_current()::text as id',
                    )
                  ).rows[0];
            expect(viaClient).toEqual(viaDrizzle);
          });
        } finally {
          await store.close();
          await target.dispose();
        }
      });
    },
  );

  describe.each(DRIVERS)(
    `drizzle-orm ${pinned['drizzle-orm']} still runs a statement outside a transaction through db.session.prepareQuery(…).execute (%s)`,
    (driver) => {
      it('so the store pins the settings of every statement, the select and query builders too (transaction-settings.ts)', async () => {
        const target = await createTarget(driver);
        const store = await target.open();
        try {
          const [raw] = await rows<{ path: string; tz: string }>(
            store.db,
            sql`select current_setting('search_path') as path, current_setting('TimeZone') as tz`,
          );
          expect(raw).toEqual({ path: 'pg_catalog, pg_temp', tz: 'UTC' });
          // A query builder's statement goes the same way: its table named with its schema resolves, pinned or not.
          const { contacts } = await import('../../src/storage/schema.js');
          expect(await store.db.select().from(contacts).limit(1)).toEqual([]);
        } finally {
          await store.close();
          await target.dispose();
        }
      });
    },
  );

  describe.skipIf(!SERVER_URL)(`postgres ${pinned.postgres}`, () => {
    it('still calls the socket option with its parsed options (host[], port[], path), and names the TLS server after socket.host', async () => {
      const seen: unknown[] = [];
      const client = postgres(SERVER_URL!, {
        max: 1,
        onnotice: () => {},
        socket: ((target: { host: string[]; port: number[]; path: string | false }) => {
          seen.push({ host: target.host, port: target.port, path: target.path });
          return net.connect({ host: target.host[0]!, port: target.port[0]! });
        }) as never,
      } as postgres.Options<Record<string, never>>);
      try {
        expect(await client`select 1 as one`).toEqual([{ one: 1 }]);
      } finally {
        await client.end({ timeout: 5 });
      }
      const url = new URL(SERVER_URL!);
      expect(seen).toEqual([{ host: [url.hostname], port: [Number(url.port || 5432)], path: expect.anything() }]);
      expect(seen[0]).toHaveProperty('path');
      // server-driver.ts sets `host` on the sockets it makes for this line of postgres.js's TLS upgrade.
      const connection = readFileSync(join(packageDir('postgres'), 'src/connection.js'), 'utf8');
      expect(connection).toContain('servername: net.isIP(socket.host) ? undefined : socket.host');
    });

    it("still throws a stray write-after-close (porsager/postgres#1208) when the server ends a backend mid-COPY; the CLI's guard takes it, no crash, no stack trace", () => {
      const output = execFileSync(process.execPath, [join(root, 'test/support/write-after-close.mjs'), SERVER_URL!], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 110_000,
      });
      const outcome = JSON.parse(output) as { copy: string; transaction: string; swallowed: number };
      // The COPY and the transaction are rejected as a lost connection, catchably: not as rows refused.
      expect(outcome.copy).toMatch(/^(CONNECTION_CLOSED|CONNECTION_DESTROYED|ECONNRESET|EPIPE)$/);
      expect(outcome.transaction).toMatch(/^(CONNECTION_CLOSED|CONNECTION_DESTROYED|ECONNRESET|EPIPE)$/);
      // If this is 0 after an upgrade, postgres.js no longer writes after close: drop the guard (postgres-stray-write.ts).
      expect(outcome.swallowed).toBeGreaterThanOrEqual(1);
    });
  });
});
