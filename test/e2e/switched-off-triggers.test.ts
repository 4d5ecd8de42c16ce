/**
 * A store whose protective triggers are switched off (the tables' owner ran
 * ALTER TABLE … DISABLE TRIGGER, or ENABLE REPLICA TRIGGER, and left it so):
 * `verify` warns, naming each, on stderr and in --json; once they are back
 * on, it says nothing of them.
 */

import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { DRIVERS, type Target, createTarget } from '../support/targets.js';

describe.each(DRIVERS)('verify and switched-off triggers on %s', (driver) => {
  let target: Target;
  const alter = async (statement: string) => {
    const store = await target.open();
    try {
      await store.db.execute(sql.raw(statement));
    } finally {
      await store.close();
    }
  };

  beforeAll(async () => {
    target = await createTarget(driver);
  }, 120_000);
  afterAll(() => target?.dispose());

  it('names each trigger switched off, and is quiet once they are back on', async () => {
    await alter('alter table public.contacts disable trigger contacts_refuse_update_delete');
    await alter('alter table public.enquiries enable replica trigger enquiries_refuse_truncate');
    const warned = await runCli(['verify'], target.env);
    expect(warned.code, warned.stderr).toBe(0);
    expect(warned.stdout).toMatch(/^Intact/m);
    expect(warned.stderr).toMatch(
      /warning {2}trigger-disabled {2}the store's trigger contacts_refuse_update_delete is switched off: on contacts \(disabled\)/,
    );
    expect(warned.stderr).toMatch(
      /trigger-disabled {2}the store's trigger enquiries_refuse_truncate is switched off: on enquiries \(replica only\)/,
    );
    const json = await runCli(['--json', 'verify'], target.env);
    expect(
      json.json.warnings.map((w: { code: string; message: string }) => [w.code, w.message.match(/trigger (\w+)/)![1]]),
    ).toEqual([
      ['trigger-disabled', 'contacts_refuse_update_delete'],
      ['trigger-disabled', 'enquiries_refuse_truncate'],
    ]);

    await alter('alter table public.contacts enable always trigger contacts_refuse_update_delete');
    await alter('alter table public.enquiries enable always trigger enquiries_refuse_truncate');
    const quiet = await runCli(['--json', 'verify'], target.env);
    expect(quiet.code).toBe(0);
    expect(quiet.json.warnings).toEqual([]);
    expect(quiet.stderr).toBe('');
  });
});
