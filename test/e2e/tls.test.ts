/**
 * TLS as libpq's sslmode reads it, against a cluster of the test's own that
 * takes only TLS connections: `require` encrypts, `verify-full` with the CA
 * that signed the server's certificate connects by the certificate's name,
 * and a wrong CA or a host the certificate does not name is refused — named
 * as a TLS failure, with what to check, never a stack trace — before
 * anything is written.
 */

import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCli } from '../support/cli.js';
import { type TlsCluster, startTlsCluster, tlsClusterUnavailable } from '../support/tls-cluster.js';

const unavailable = tlsClusterUnavailable();
const HISTORY = ['history', '1955839661', '--all'];

describe.skipIf(unavailable !== undefined)('connecting with TLS to a cluster that takes nothing else', () => {
  let cluster: TlsCluster;
  const url = (host: string, query: string) => `postgres://postgres@${host}:${cluster.port}/postgres?${query}`;

  beforeAll(async () => {
    cluster = await startTlsCluster();
    const env = { DATABASE_URL: url('localhost', 'sslmode=require') };
    for (const what of ['registry', 'operators']) {
      // The sample files hold rows the rules reject (exit 1); the rest are stored, over TLS.
      const r = await runCli([what, 'import', join(FIXTURES, `${what}.csv`), '--rejects', '/dev/null'], env);
      expect(r.code, r.stderr).toBeLessThanOrEqual(1);
    }
    const recorded = await runCli(
      [
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
        'Sent over TLS',
      ],
      env,
    );
    expect(recorded.code, recorded.stderr).toBe(0);
  }, 120_000);
  afterAll(() => cluster?.stop());

  it('sslmode=require reads over TLS by address, the certificate unchecked; the server sees the session encrypted', async () => {
    const env = { DATABASE_URL: url('127.0.0.1', 'sslmode=require') };
    const history = await runCli(HISTORY, env);
    expect(history.code, history.stderr).toBe(0);
    expect(history.stdout).toContain('Sent over TLS');
    const server = postgres(url('localhost', 'sslmode=require'), { max: 1, ssl: 'require', onnotice: () => {} });
    try {
      const [seen] = await server<{ ssl: boolean }[]>`select ssl from pg_stat_ssl where pid = pg_backend_pid()`;
      expect(seen!.ssl).toBe(true);
    } finally {
      await server.end();
    }
  });

  it('sslmode=disable is refused by a server that takes only TLS, and said so', async () => {
    const r = await runCli(HISTORY, { DATABASE_URL: url('127.0.0.1', 'sslmode=disable') });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('no encryption');
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  });

  it("sslmode=verify-full with the signing CA connects by the certificate's name", async () => {
    const r = await runCli(HISTORY, {
      DATABASE_URL: url('localhost', `sslmode=verify-full&sslrootcert=${cluster.caFile}`),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Sent over TLS');
  });

  it('the same CA from PGSSLMODE and PGSSLROOTCERT, as libpq takes them', async () => {
    const r = await runCli(HISTORY, {
      DATABASE_URL: '',
      PGHOST: 'localhost',
      PGPORT: String(cluster.port),
      PGUSER: 'postgres',
      PGDATABASE: 'postgres',
      PGSSLMODE: 'verify-full',
      PGSSLROOTCERT: cluster.caFile,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Sent over TLS');
  });

  it('verify-full refuses a certificate another CA signed: a TLS failure, named, nothing written', async () => {
    const r = await runCli(
      [
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
        'Never stored',
      ],
      { DATABASE_URL: url('localhost', `sslmode=verify-full&sslrootcert=${cluster.otherCaFile}`) },
    );
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('TLS failed');
    expect(r.stderr).toContain('[database-unavailable]');
    expect(r.stderr).toContain('check sslrootcert');
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    const history = await runCli(HISTORY, { DATABASE_URL: url('localhost', 'sslmode=require') });
    expect(history.stdout).not.toContain('Never stored');
  });

  it('verify-full refuses a host the certificate does not name, even with the right CA', async () => {
    const r = await runCli(HISTORY, {
      DATABASE_URL: url('127.0.0.1', `sslmode=verify-full&sslrootcert=${cluster.caFile}`),
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('TLS failed');
    expect(r.stderr).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID|altname|does not match/i);
    expect(r.stdout).toBe('');
  });
});

describe.runIf(unavailable !== undefined)('TLS', () => {
  it(`TLS tests skipped: ${unavailable}`, () => {
    expect(unavailable).toBeTruthy();
  });
});
