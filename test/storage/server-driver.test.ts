import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rows } from '../../src/storage/database.js';
import { openServerStore } from '../../src/storage/server-driver.js';
import { SERVER_URL, createTarget, serverAt } from '../support/targets.js';

/** The same server behind a first host that refuses connections: postgres.js's multi-host form. */
function behindRefusingHost(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.username}@127.0.0.1:1,${u.hostname}:${u.port || 5432}${u.pathname}`;
}

// The driver opens its own sockets (for TCP_NODELAY); postgres.js must still move on through a URL's hosts.
describe.skipIf(!SERVER_URL)('server driver connections', () => {
  it('connects through the next host of a multi-host URL when the first refuses', async () => {
    const store = await openServerStore(serverAt(behindRefusingHost(SERVER_URL!)), 'cis-contact test');
    try {
      const [row] = await rows<{ answer: number }>(store.db, sql`select 42 as answer`);
      expect(row).toEqual({ answer: 42 });
    } finally {
      await store.close();
    }
  });
});

// COPY takes no parameters; the driver binds them as settings rather than quoting them into the SQL.
describe.skipIf(!SERVER_URL)('server driver COPY OUT', () => {
  it('binds its parameters: quotes, backslashes and a would-be injection come back as given, even without standard_conforming_strings', async () => {
    const target = await createTarget('postgres', false);
    try {
      const setup = await target.open();
      const [here] = await rows<{ name: string }>(setup.db, sql`select current_database() as name`);
      // With it off, a backslash in a quoted literal escapes the next character: hand-quoting doubled only quotes.
      await setup.db.execute(sql.raw(`alter database "${here!.name}" set standard_conforming_strings = off`));
      await setup.close();
      const store = await target.open();
      try {
        const awkward = [
          "O'Brien",
          'back\\slash\\',
          "\\'; select pg_sleep(10); --",
          "''",
          'tab\tand\nline',
          '$1',
          'é 😀',
          '',
        ];
        for (const value of awkward) {
          let out = '';
          for await (const text of store.copyOut!(
            sql`select encode(convert_to(${value}, 'UTF8'), 'hex'), ${41} + 1, ${'2020-01-31'}::date + 1`,
          ))
            out += text;
          expect(out, value).toBe(`${Buffer.from(value).toString('hex')}\t42\t2020-02-01\n`);
        }
        // A parameter takes the type the server infers for it, as a bound one would: here the column's.
        let below = '';
        for await (const text of store.copyOut!(
          sql`select n from generate_series(1, 10) n where n <= ${3} and ${'x'} = 'x' order by n`,
        ))
          below += text;
        expect(below).toBe('1\n2\n3\n');
        // Beside a character(10) column, the whole value (cast to the bare name `character` it was one character).
        let utr = '';
        for await (const text of store.copyOut!(
          sql`select u from (values ('1234567890'::character(10))) v(u) where u = ${'1234567890'}`,
        ))
          utr += text;
        expect(utr).toBe('1234567890\n');
      } finally {
        await store.close();
      }
    } finally {
      await target.dispose();
    }
  });
});

// A refusal can come while postgres.js is still writing the COPY: the statement after it must still say refused.
describe.skipIf(!SERVER_URL)('server driver COPY IN', () => {
  it('a COPY the server refuses while it is still being written is the rows refused, not a crash or a lost connection', async () => {
    const store = await openServerStore(serverAt(SERVER_URL!), 'cis-contact test');
    try {
      const refused = store.db.transaction(async (tx) => {
        // In the store's schema, where the driver's COPY names its tables; the refused transaction takes it away.
        await tx.execute(sql`create table public.refusing (x text check (x <> 'a row'))`);
        // Far more than the sockets' buffers hold: the server refuses the first row long before the last is written.
        await store.copy(
          tx,
          'refusing',
          ['x'],
          Array.from({ length: 4_000_000 }, () => 'a row\n'),
        );
      });
      await expect(refused).rejects.toMatchObject({ name: 'BatchRefused' });
      const [after] = await rows<{ ok: number }>(store.db, sql`select 1 as ok`);
      expect(after).toEqual({ ok: 1 });
    } finally {
      await store.close();
    }
  });
});
