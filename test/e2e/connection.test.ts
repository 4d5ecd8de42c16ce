/**
 * Which server, read as libpq and psql read it: the PG* variables when no
 * URL is given (never a silent embedded store), a socket folder and port in
 * the URL's query, TLS asked for by default where the server offers it, a
 * malformed URL a usage error that never shows the password, and sessions a
 * DBA can tell apart by their application_name.
 */

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverConnection } from '../../src/storage/connection.js';
import { VERSION } from '../../src/commands/version.js';
import { runCli, startCli } from '../support/cli.js';
import { SERVER_URL, type Target, fixtureStore } from '../support/targets.js';
import { scratchFolder } from '../support/scratch.js';

const RECORD = [
  'record',
  '--utr',
  '1955839661',
  '--operator',
  '1234567',
  '--channel',
  'internal-enquiry',
  '--subject',
  'Letter',
  '--action',
  'by libpq conventions',
];

describe('connection settings read as libpq reads them', () => {
  it('takes the PG* variables for what a URL does not say, and a socket folder from the query', () => {
    const env = {
      PGHOST: 'db.example',
      PGPORT: '6000',
      PGUSER: 'alice',
      PGDATABASE: 'cis',
      PGAPPNAME: 'nightly',
      PGSSLMODE: 'require',
    };
    expect(serverConnection(undefined, env)).toMatchObject({
      hosts: ['db.example'],
      ports: [6000],
      user: 'alice',
      database: 'cis',
      applicationName: 'nightly',
      sslMode: 'require',
    });
    expect(serverConnection('postgres://bob@other:7000/store', env)).toMatchObject({
      hosts: ['other'],
      ports: [7000],
      user: 'bob',
      database: 'store',
    });
    expect(serverConnection('postgres:///store?host=/run/pg&port=5499', {})).toMatchObject({
      hosts: ['/run/pg'],
      ports: [5499],
      database: 'store',
      location: expect.stringContaining('?host=/run/pg&port=5499'),
    });
    expect(serverConnection('postgres://h/db', {})!.sslMode).toBe('prefer');
    expect(serverConnection(undefined, {})).toBeUndefined();
  });

  it('reads a password with an unencoded # as libpq does, and never puts a password in the location', () => {
    const connection = serverConnection('postgres://jo:se#cret@db:5432/cis', {})!;
    expect(connection.password).toBe('se#cret');
    expect(connection.location).toBe('postgres://jo@db:5432/cis');
  });
});

describe.skipIf(!SERVER_URL)('connecting to a server without DATABASE_URL', () => {
  let target: Target;
  let home: string;
  const server = () => new URL(SERVER_URL!);
  const database = () => new URL(target.env.DATABASE_URL!).pathname.slice(1);
  const libpq = () => ({
    DATABASE_URL: '',
    HOME: home,
    XDG_DATA_HOME: join(home, 'data'),
    PGHOST: server().hostname,
    PGPORT: server().port || '5432',
    PGUSER: server().username || 'postgres',
    PGDATABASE: database(),
  });

  beforeAll(async () => {
    ({ target } = await fixtureStore('postgres', 'libpq'));
    home = scratchFolder('cis-contact-home-');
  });
  afterAll(() => target.dispose());

  it('PG* variables select the server as psql would: no embedded store is made', async () => {
    const recorded = await runCli([...RECORD, '--json'], libpq());
    expect(recorded.code, recorded.stderr).toBe(0);
    expect(existsSync(join(home, 'data', 'cis-contact'))).toBe(false);
    const direct = await runCli(['history', '1955839661', '--all', '--json'], target.env);
    expect(direct.json.map((c: { enquiries: { actionTaken: string }[] }) => c.enquiries[0]!.actionTaken)).toContain(
      'by libpq conventions',
    );
  });

  it.skipIf(!existsSync('/var/run/postgresql/.s.PGSQL.5432') || server().port !== '5432')(
    'a socket folder and port in the URL are used, not the default server',
    async () => {
      const viaSocket = `postgres://${server().username || 'postgres'}@/${database()}?host=/var/run/postgresql&port=5432`;
      const verified = await runCli(['verify', '--json'], { DATABASE_URL: viaSocket });
      expect(verified.code, verified.stderr).toBe(0);
      const wrongPort = await runCli(['verify'], { DATABASE_URL: viaSocket.replace('port=5432', 'port=5499') });
      expect(wrongPort.code).toBe(3);
      expect(wrongPort.stderr).toContain('[database-unreachable]');
      expect(wrongPort.stderr).toContain('port=5499');
    },
  );

  it('a malformed URL is a usage error, and no password is ever shown', async () => {
    const malformed = await runCli(['verify', '--database-url', 'not-a-url'], {});
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('[database-url-invalid]');
    const unknown = await runCli(['verify', '--database-url', 'postgres://jo:hunter2@127.0.0.1:1/x?jit=off'], {});
    expect(unknown.code).toBe(2);
    const unreachable = await runCli(['verify', '--database-url', 'postgres://jo:se#cret@127.0.0.1:1/x'], {});
    expect(unreachable.code).toBe(3);
    for (const said of [malformed, unknown, unreachable]) expect(said.stderr).not.toMatch(/hunter2|se#cret|cret/);
  });

  it('names its sessions cis-contact/VERSION COMMAND, or what the user set', async () => {
    const dba = postgres(target.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
    try {
      // A verify that waits on a lock this connection holds: its session is there to be seen.
      for (const [env, expected] of [
        [target.env, `cis-contact/${VERSION} verify`],
        [{ ...target.env, PGAPPNAME: 'nightly-audit' }, 'nightly-audit'],
      ] as const) {
        const seen = await dba.begin(async (tx) => {
          await tx`lock table contacts in access exclusive mode`;
          const waiting = startCli(['verify'], env);
          let names: string[] = [];
          while (names.length === 0) {
            // The statistics views are a snapshot per transaction: cleared, each look is a new one.
            await tx`select pg_stat_clear_snapshot()`;
            names = (
              await tx<{ application_name: string }[]>`select application_name from pg_stat_activity
              where datname = current_database() and wait_event_type = 'Lock'`
            ).map((r) => r.application_name);
          }
          return { names, waiting };
        });
        expect(seen.names).toContain(expected);
        expect((await seen.waiting.exited).code).toBe(0);
      }
    } finally {
      await dba.end();
    }
  });
});
