/**
 * The holder's relay and a client kept waiting for its turn: what it is told
 * (a NoticeResponse naming the holder by its application_name, what it holds
 * and for how long), told again behind the same holder now and then and when
 * the holder changes; a client not the tool's own is told nothing before its
 * startup is answered (libpq would give up). Real PGlite on a store of the test's, real postgres.js
 * clients over a Unix socket; the relay's delays shortened.
 */

import net from 'node:net';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenedDatabase, openEmbeddedDatabase } from '../../src/storage/embedded-database.js';
import { WireRelay, noticeResponse } from '../../src/storage/wire-relay.js';
import { until } from '../support/events.js';
import { type Target, createTarget } from '../support/targets.js';

describe('NoticeResponse', () => {
  it('is framed as PostgreSQL frames it: N, its length, then severity, SQLSTATE 00000 and text, each ended by a zero byte', () => {
    const body = 'SNOTICE\0VNOTICE\0C00000\0Mheld\0\0';
    const expected = Buffer.concat([Buffer.from('N'), Buffer.alloc(4), Buffer.from(body)]);
    expected.writeInt32BE(4 + body.length, 1);
    expect(noticeResponse('held')).toEqual(expected);
  });
});

describe('a client waiting for its turn', () => {
  const EVERY_MS = 400;
  let target: Target;
  let opened: OpenedDatabase;
  let relay: WireRelay;
  let server: net.Server;
  let socket: string;

  beforeAll(async () => {
    target = await createTarget('pglite');
    const dir = target.env.CIS_CONTACT_DATA_DIR!;
    opened = await openEmbeddedDatabase(dir, { create: false });
    relay = new WireRelay(
      opened.client,
      { onFatal: (error) => expect.fail(String(error)) },
      { noticeAfterMs: 50, noticeEveryMs: EVERY_MS },
    );
    socket = join(dir, '.s.PGSQL.5432');
    server = net.createServer((s) => relay.attach(s));
    await new Promise<void>((resolve) => server.listen(socket, resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await relay?.closeAll();
    await opened?.close();
    await target?.dispose();
  });

  const connect = (name: string, onnotice: (notice: postgres.Notice) => void = () => {}) =>
    postgres({
      path: socket,
      user: 'postgres',
      prepare: false,
      max: 1,
      connection: { application_name: name },
      onnotice,
    });

  /** Transactions held open: released at the end of a test, however it ends, so the clients can close. */
  const held: (() => void)[] = [];

  /** A transaction kept open until `release` is called. */
  function holdTransaction(sql: postgres.Sql) {
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    held.push(() => release());
    let began = false;
    const done = sql.begin(async (tx) => {
      await tx`select 1`;
      began = true;
      await released;
    });
    return { began: () => began, release, done };
  }

  it('is told who holds the session, in what and for how long; again behind the same holder; and when the holder changes', async () => {
    const told: { at: number; message: string }[] = [];
    const a = connect('holder a');
    const c = connect('holder c');
    const b = connect('waiter b', (notice) =>
      told.push({ at: Date.now(), message: `${notice.code} ${notice.message}` }),
    );
    const toldD: string[] = [];
    const d = connect('other tool', (notice) => toldD.push(notice.message!));
    try {
      // Connected first, so that each one's next message is a turn of its own.
      await Promise.all([a`select 1`, b`select 1`, c`select 1`]);
      const first = holdTransaction(a);
      await until('A to be inside its transaction', first.began);
      const second = holdTransaction(c); // waits behind A, ahead of B
      const asked = b`select 2 as two`.execute(); // sent now: postgres.js sends a query when it is awaited
      // D's startup waits too: a client not the tool's own is told nothing before its startup is answered (libpq would give up).
      const askedD = d`select 4 as four`.execute();
      await until('B to be told three times of A', () => told.length >= 3);
      expect(toldD).toEqual([]);
      expect(told[0]!.message).toMatch(
        /^00000 waiting for the store: holder a has held it for \d+ s in a transaction$/,
      );
      expect(told[1]!.message).toMatch(/ holder a has held it /);
      expect(told[1]!.at - told[0]!.at).toBeGreaterThanOrEqual(EVERY_MS / 2);

      first.release();
      await first.done;
      await until('C to be inside its transaction', second.began);
      await until('B to be told of C', () => told.some((t) => t.message.includes('holder c has held it')));
      second.release();
      await second.done;
      expect(await asked).toEqual([{ two: 2 }]);
      expect(await askedD).toEqual([{ four: 4 }]);
      // Its turn came: it is told nothing more.
      const count = told.length;
      await b`select 3`;
      expect(told.length).toBe(count);
    } finally {
      held.splice(0).forEach((release) => release());
      await Promise.all([a.end(), b.end(), c.end(), d.end()]);
    }
  });
});
