/**
 * What the tool shows is what is stored, whatever objects the store's owner
 * creates and whatever settings a login is given: every statement the tool
 * sends (captured on the wire, through a forwarding proxy) runs after the
 * statement that pins its search path and text settings, in its own
 * transaction; functions and operators named like every one the tool's SQL
 * calls, created in `public` by the admin login, and an auditor's own
 * DateStyle, TimeZone, IntervalStyle, extra_float_digits and search_path,
 * change no byte of history, export or verify. With them planted, a note the
 * admin changes behind the trigger is shown as stored, and every verify
 * (the store, kept checkpoints, exports) names the entry.
 */

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseOf, defaultRolePrefix, roleName } from '../../src/storage/roles.js';
import { FIXTURES, runCli } from '../support/cli.js';
import { SERVER_URL, type Target, fixtureStore, withUser } from '../support/targets.js';

/** A TCP proxy to the server that keeps the text of every statement each connection sends (simple and extended protocol). */
async function statementRecorder(port: number) {
  const connections: string[][] = [];
  const server = net.createServer((client) => {
    const seen: string[] = [];
    connections.push(seen);
    const upstream = net.connect({ host: '127.0.0.1', port });
    let buffer = Buffer.alloc(0);
    let started = false;
    client.on('data', (data) => {
      upstream.write(data);
      buffer = Buffer.concat([buffer, data]);
      for (;;) {
        if (!started) {
          if (buffer.length < 8) return;
          const length = buffer.readInt32BE(0);
          if (buffer.length < length) return;
          started = buffer.readInt32BE(4) === 196608;
          buffer = buffer.subarray(length);
          continue;
        }
        if (buffer.length < 5) return;
        const length = buffer.readInt32BE(1);
        if (buffer.length < length + 1) return;
        const body = buffer.subarray(5, length + 1);
        const type = String.fromCharCode(buffer[0]!);
        if (type === 'Q') seen.push(body.toString('utf8', 0, body.indexOf(0)));
        if (type === 'P') {
          const name = body.indexOf(0);
          seen.push(body.toString('utf8', name + 1, body.indexOf(0, name + 1)));
        }
        buffer = buffer.subarray(length + 1);
      }
    });
    upstream.on('data', (data) => client.write(data));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections,
    close: () => new Promise((r) => server.close(r)),
  };
}

const PINNING = "select pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true)";
/** postgres.js asks the server for its array types once a connection, before any statement of the tool's. */
const DRIVER_OWN = /^select b\.oid, b\.typarray from pg_catalog\.pg_type/;
const TYPES = ['text', 'varchar', 'character', 'date', 'bigint', 'jsonb'];
const FORGED: Record<string, string> = {
  text: `'forged'::text`,
  varchar: `'forged'::varchar`,
  character: `'forged'::character`,
  date: `date '2000-01-01'`,
  bigint: '42',
  jsonb: `'"forged"'::jsonb`,
};

/** The functions and operators named in the statements the tool sent (string literals aside). */
function namesCalled(connections: string[][]): { functions: string[]; operators: string[] } {
  const text = connections
    .flat()
    .filter((s) => !DRIVER_OWN.test(s))
    .join('\n')
    .replace(/'(?:[^']|'')*'/g, "''");
  const functions = [...new Set([...text.matchAll(/\b([a-z_][a-z0-9_]*)\s*\(/gi)].map((m) => m[1]!.toLowerCase()))];
  const operators = [...new Set([...text.matchAll(/[<>=!~|+\-*/%^&#@]+/g)].map((m) => m[0]))].filter(
    (o) => !o.includes('--') && o !== '*',
  );
  return { functions, operators };
}

/**
 * As the admin login at `url`: functions named like each of `functions` and
 * operators like each of `operators`, in public, for every pair of the
 * TYPES, each returning something else. One that PostgreSQL refuses (or that
 * exists already) is passed over.
 */
async function plantShadows(url: string, functions: string[], operators: string[]): Promise<void> {
  const statements: string[] = [];
  for (const name of functions) {
    for (const a of TYPES) {
      statements.push(`create function public."${name}"(${a}) returns ${a} language sql as $$ select ${FORGED[a]!} $$`);
      for (const b of TYPES)
        statements.push(
          `create function public."${name}"(${a}, ${b}) returns ${a} language sql as $$ select ${FORGED[a]!} $$`,
        );
    }
  }
  for (const a of TYPES) {
    for (const b of TYPES) {
      statements.push(
        `create function public.shadow_true(${a}, ${b}) returns boolean language sql as $$ select true $$`,
      );
      statements.push(
        `create function public.shadow_value(${a}, ${b}) returns ${a} language sql as $$ select ${FORGED[a]!} $$`,
      );
      for (const op of operators) {
        const compares = ['=', '<>', '!=', '<', '>', '<=', '>=', '~'].includes(op);
        statements.push(
          `create operator public.${op} (leftarg = ${a}, rightarg = ${b}, function = public.${compares ? 'shadow_true' : 'shadow_value'})`,
        );
      }
    }
  }
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  try {
    for (let i = 0; i < statements.length; i += 200) {
      const part = statements
        .slice(i, i + 200)
        .map((s) => `do $do$ begin execute ${`$s$${s}$s$`}; exception when others then null; end $do$`);
      await admin.unsafe(part.join(';\n'));
    }
    const [{ n }] = await admin<
      [{ n: number }]
    >`select count(*)::int as n from pg_proc where pronamespace = 'public'::regnamespace and proname = 'to_json'`;
    expect(n).toBeGreaterThan(6);
  } finally {
    await admin.end();
  }
}

describe.skipIf(!SERVER_URL)(
  "reads pinned against the owner's functions and a login's settings (PostgreSQL server)",
  () => {
    const suffix = `${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    const login = { admin: `padm_${suffix}`, auditor: `paud_${suffix}` };
    let target: Target;
    let cwd: string;
    let server: postgres.Sql;
    let recorder: Awaited<ReturnType<typeof statementRecorder>>;
    const role = (job: string) => roleName(defaultRolePrefix(databaseOf(target.env.DATABASE_URL!)), job as 'admin');
    /** The auditor's connection string, through the recording proxy. */
    const auditorEnv = () => {
      const u = new URL(withUser(target.env.DATABASE_URL!, login.auditor));
      u.port = String(recorder.port);
      return { DATABASE_URL: u.toString() };
    };

    /** Every read, as the auditor: each command's stdout and the files it wrote. */
    const reads = async () => {
      const out: Record<string, string> = {};
      const run = async (name: string, args: string[]) => {
        const r = await runCli(args, auditorEnv(), { cwd });
        expect(r.code, `${name}: ${r.stderr}`).toBe(0);
        out[name] = r.stdout;
      };
      await run('history', ['history', '1955839661', '--all']);
      await run('history of a partnership', ['history', '2108834503', '--all']);
      await run('export jsonl', ['export', '--format', 'jsonl', '--out', 'all.jsonl', '--force']);
      await run('export csv', ['export', '--format', 'csv', '--out', 'all.csv', '--force']);
      await run('export --utr jsonl', [
        'export',
        '--format',
        'jsonl',
        '--utr',
        '1955839661',
        '--from',
        '2019-01-01',
        '--to',
        '2020-12-31',
        '--out',
        'one.jsonl',
        '--force',
      ]);
      for (const file of ['all.jsonl', 'all.csv', 'all.csv.manifest.json', 'one.jsonl'])
        out[file] = readFileSync(join(cwd, file), 'utf8');
      const verify = await runCli(['--json', 'verify'], auditorEnv(), { cwd });
      expect(verify.code, verify.stderr).toBe(0);
      out.verify = JSON.stringify({
        intact: verify.json.intact,
        checked: verify.json.checked,
        headHash: verify.json.headHash,
        problems: verify.json.problems,
      });
      const verifyExport = await runCli(['--json', 'verify', '--export', 'all.jsonl'], auditorEnv(), { cwd });
      expect(verifyExport.code, verifyExport.stderr).toBe(0);
      out['verify --export'] = JSON.stringify({ intact: verifyExport.json.intact, checked: verifyExport.json.checked });
      // A filtered export is held to the store's own entries for its filter: that read is pinned too.
      const complete = await runCli(['--json', 'verify', '--export', 'one.jsonl'], auditorEnv(), { cwd });
      expect(complete.code, complete.stderr).toBe(0);
      out['verify --export of a filtered export'] = JSON.stringify({
        intact: complete.json.intact,
        complete: complete.json.complete,
        checked: complete.json.checked,
      });
      // The first verify's checkpoint line, kept: each later verify is held to it and to the exports.
      if (!existsSync(join(cwd, 'kept-line.txt')))
        writeFileSync(join(cwd, 'kept-line.txt'), `${JSON.stringify({ checkpoint: verify.json.checkpoint })}\n`);
      const held = await runCli(
        ['--json', 'verify', '--checkpoint', 'kept-line.txt', 'all.jsonl', 'one.jsonl'],
        auditorEnv(),
        { cwd },
      );
      expect(held.code, held.stderr).toBe(0);
      out['verify --checkpoint'] = JSON.stringify({ intact: held.json.intact, checkpoints: held.json.checkpoints });
      return out;
    };

    let before: Record<string, string>;

    beforeAll(async () => {
      ({ target, cwd } = await fixtureStore('postgres', 'pinned'));
      recorder = await statementRecorder(Number(new URL(SERVER_URL!).port || 5432));
      server = postgres(SERVER_URL!, { max: 1, onnotice: () => {} });
      for (const name of Object.values(login)) await server.unsafe(`create role ${name} login`);
      expect((await runCli(['db', 'roles'], target.env)).code).toBe(0);
      // The sample log holds rows the rules reject (exit 1); the rest are stored.
      expect(
        (await runCli(['import', join(FIXTURES, 'contacts.csv'), '--rejects', '/dev/null'], target.env, { cwd })).code,
      ).toBe(1);
      const dba = postgres(target.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
      await dba.unsafe(`grant ${role('admin')} to ${login.admin}; grant ${role('auditor')} to ${login.auditor}`);
      await dba.end();
      before = await reads();
      expect(JSON.parse(before.verify!).intact).toBe(true);
    }, 300_000);

    afterAll(async () => {
      await recorder?.close();
      await target?.dispose();
      for (const name of Object.values(login)) await server?.unsafe(`drop role if exists ${name}`);
      await server?.end();
    });

    it('every statement the tool sends runs in a transaction after the statement that pins its settings', () => {
      const statements = recorder.connections.flat();
      expect(statements.length).toBeGreaterThan(20);
      for (const connection of recorder.connections) {
        let pinned = false;
        for (const statement of connection) {
          const text = statement.trim().toLowerCase().replace(/\s+/g, ' ');
          if (DRIVER_OWN.test(text)) continue;
          if (text === 'begin' || text.startsWith('commit') || text.startsWith('rollback')) {
            pinned = false;
            continue;
          }
          if (statement.startsWith(PINNING)) {
            pinned = true;
            continue;
          }
          expect(pinned, statement).toBe(true);
        }
      }
    });

    it('functions and operators named like every one the tool calls, created in public by the admin login, change nothing', async () => {
      const { functions, operators } = namesCalled(recorder.connections);
      expect(functions).toEqual(expect.arrayContaining(['to_json', 'to_char', 'set_config', 'string_agg']));
      expect(operators).toEqual(expect.arrayContaining(['=', '||', '<=']));
      await plantShadows(withUser(target.env.DATABASE_URL!, login.admin), functions, operators);
      expect(await reads()).toEqual(before);
    }, 300_000);

    it("the auditor's own DateStyle, TimeZone, IntervalStyle, extra_float_digits and search_path (public first) change nothing", async () => {
      await server.unsafe(`alter role ${login.auditor} in database "${databaseOf(target.env.DATABASE_URL!)}" set datestyle = 'SQL, DMY';
      alter role ${login.auditor} set timezone = 'Pacific/Chatham'; alter role ${login.auditor} set intervalstyle = 'sql_standard';
      alter role ${login.auditor} set extra_float_digits = -15; alter role ${login.auditor} set search_path = public, pg_catalog`);
      expect(await reads()).toEqual(before);
    }, 300_000);
  },
);

describe.skipIf(!SERVER_URL)(
  'a note changed by the owner behind its trigger, with functions and operators planted to hide it (PostgreSQL server)',
  () => {
    const suffix = `${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    const login = { admin: `nadm_${suffix}`, auditor: `naud_${suffix}` };
    const CHANGED = 3;
    let target: Target;
    let cwd: string;
    let server: postgres.Sql;
    let original: string;
    let recorder: Awaited<ReturnType<typeof statementRecorder>>;
    /** The auditor, through the recording proxy: what the tool sends is what the planted names are found from. */
    const auditor = (args: string[]) => {
      const u = new URL(withUser(target.env.DATABASE_URL!, login.auditor));
      u.port = String(recorder.port);
      return runCli(args, { DATABASE_URL: u.toString() }, { cwd });
    };

    beforeAll(async () => {
      ({ target, cwd } = await fixtureStore('postgres', 'planted'));
      recorder = await statementRecorder(Number(new URL(SERVER_URL!).port || 5432));
      server = postgres(SERVER_URL!, { max: 1, onnotice: () => {} });
      for (const name of Object.values(login)) await server.unsafe(`create role ${name} login`);
      expect((await runCli(['db', 'roles'], target.env)).code).toBe(0);
      expect(
        (await runCli(['import', join(FIXTURES, 'contacts.csv'), '--rejects', '/dev/null'], target.env, { cwd })).code,
      ).toBe(1);
      const prefix = defaultRolePrefix(databaseOf(target.env.DATABASE_URL!));
      const dba = postgres(target.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
      await dba.unsafe(
        `grant ${roleName(prefix, 'admin')} to ${login.admin}; grant ${roleName(prefix, 'auditor')} to ${login.auditor}`,
      );
      await dba.end();
      // What the auditor keeps: verify's checkpoint line and exports, each checked as it is taken.
      const taken = await auditor(['verify']);
      expect(taken.code, taken.stderr).toBe(0);
      writeFileSync(join(cwd, 'kept-line.txt'), taken.stdout);
      expect((await auditor(['export', '--format', 'jsonl', '--out', 'kept.jsonl'])).code).toBe(0);
      expect((await auditor(['export', '--out', 'kept.csv'])).code).toBe(0);
      expect(
        (await auditor(['export', '--format', 'jsonl', '--from', '2019-01-01', '--out', 'kept-part.jsonl'])).code,
      ).toBe(0);
      expect((await auditor(['history', '1955839661', '--all'])).code).toBe(0);
      for (const args of [
        ['--checkpoint', 'kept-line.txt', 'kept.jsonl'],
        ['--export', 'kept.jsonl'],
        ['--export', 'kept-part.jsonl'],
      ]) {
        expect((await auditor(['verify', ...args])).code).toBe(0);
      }
      original = JSON.parse(readFileSync(join(cwd, 'kept.jsonl'), 'utf8').split('\n')[CHANGED - 1]!).enquiries[0]
        .actionTaken;
    }, 300_000);

    afterAll(async () => {
      await recorder?.close();
      await target?.dispose();
      for (const name of Object.values(login)) await server?.unsafe(`drop role if exists ${name}`);
      await server?.end();
    });

    it('history and export show the stored text; verify, verify --checkpoint (line and kept export) and verify --export fail naming the entry', async () => {
      const admin = postgres(withUser(target.env.DATABASE_URL!, login.admin), { max: 1, onnotice: () => {} });
      try {
        // The attack once found: to_json of an exact argument type, in public, giving the old text back for the new; then the note changed.
        for (const type of ['text', 'character varying', 'character']) {
          await admin.unsafe(`create function public.to_json(${type}) returns json language sql as $$
          select pg_catalog.to_json(case when $1::text = 'changed by the owner' then ${`'${original.replace(/'/g, "''")}'`} else $1::text end) $$`);
        }
        await admin.unsafe(`alter table public.enquiries disable trigger enquiries_refuse_update_delete;
        update public.enquiries set action_taken = 'changed by the owner' where contact_seq = ${CHANGED} and position = 1;
        alter table public.enquiries enable always trigger enquiries_refuse_update_delete`);
      } finally {
        await admin.end();
      }
      // And named like every function and operator the tool's reads called, returning something else.
      const { functions, operators } = namesCalled(recorder.connections);
      expect(functions).toEqual(expect.arrayContaining(['to_json', 'to_char']));
      await plantShadows(withUser(target.env.DATABASE_URL!, login.admin), functions, operators);
      expect((await auditor(['export', '--format', 'jsonl', '--out', 'now.jsonl'])).code).toBe(0);
      const now = JSON.parse(readFileSync(join(cwd, 'now.jsonl'), 'utf8').split('\n')[CHANGED - 1]!);
      expect(now.enquiries[0].actionTaken).toBe('changed by the owner');
      expect((await auditor(['export', '--out', 'now.csv'])).code).toBe(0);
      expect(readFileSync(join(cwd, 'now.csv'), 'utf8')).toContain('changed by the owner');
      const history = await auditor(['--json', 'history', now.utr, '--all']);
      expect(history.json.find((c: { id: number }) => c.id === CHANGED).enquiries[0].actionTaken).toBe(
        'changed by the owner',
      );

      const named = expect.arrayContaining([expect.objectContaining({ seq: CHANGED, kind: 'altered' })]);
      for (const args of [
        ['verify'],
        ['verify', '--checkpoint', 'kept-line.txt'],
        ['verify', '--checkpoint', 'kept.jsonl'],
        ['verify', '--export', 'now.jsonl'],
        ['verify', '--export', 'now.csv'],
      ]) {
        const r = await auditor(['--json', ...args]);
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(1);
        expect(r.json.failures, args.join(' ')).toEqual(named);
      }
    }, 300_000);
  },
);
