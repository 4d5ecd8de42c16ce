/**
 * The store's triggers that are switched off. The append-only history rests
 * on them (drizzle/0001 onwards: no UPDATE, DELETE or TRUNCATE; every entry
 * chained, stamped and checked), and the tables' owner can switch one off
 * with ALTER TABLE … DISABLE TRIGGER and forget to switch it back on. The
 * chain still shows what was changed; this says the guard is down.
 */

import { sql } from 'drizzle-orm';
import { type Executor, rows } from './database.js';

export interface SwitchedOffTrigger {
  table: string;
  trigger: string;
  /** `disabled` (DISABLE TRIGGER), or `replica only` (ENABLE REPLICA TRIGGER: it fires only while replicating, so never for a client). */
  state: 'disabled' | 'replica only';
}

export async function switchedOffTriggers(executor: Executor): Promise<SwitchedOffTrigger[]> {
  const list = await rows<{ table_name: string; trigger_name: string; enabled: string }>(
    executor,
    sql`
    select c.relname::text as table_name, t.tgname::text as trigger_name, t.tgenabled::text as enabled
    from pg_catalog.pg_trigger t
    join pg_catalog.pg_class c on c.oid = t.tgrelid
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and not t.tgisinternal and t.tgenabled in ('D', 'R')
    order by 1, 2`,
  );
  return list.map((t) => ({
    table: t.table_name,
    trigger: t.trigger_name,
    state: t.enabled === 'D' ? 'disabled' : 'replica only',
  }));
}
