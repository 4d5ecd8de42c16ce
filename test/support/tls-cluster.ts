/**
 * A PostgreSQL cluster of the test's own that speaks TLS, started for a test
 * file and stopped after it: a certificate authority and a server certificate
 * for `localhost` made with openssl, a cluster made with initdb (run as the
 * postgres account, which initdb needs), and a pg_hba.conf that takes only
 * TLS connections. Where any part is missing, `tlsClusterUnavailable` says why
 * and the tests skip.
 */

import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { scratchFolder } from './scratch.js';

/** The newest installed server's programs, as Debian lays them out. */
const BIN = (() => {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : undefined;
})();

const run = (file: string, args: string[], cwd?: string) =>
  execFileSync(file, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
/** Runs a server program as the postgres account: initdb and postgres refuse to run as root. */
const asPostgres = (file: string, args: string[]) => run('runuser', ['-u', 'postgres', '--', file, ...args]);

/** Why a TLS cluster cannot be started here, or undefined when it can. */
export function tlsClusterUnavailable(): string | undefined {
  if (!BIN) return 'no PostgreSQL server programs (initdb) are installed under /usr/lib/postgresql';
  if (process.getuid?.() !== 0) return 'the test must run as root to start a cluster as the postgres account';
  if (spawnSync('id', ['postgres']).status !== 0) return 'there is no postgres account to run the cluster as';
  if (spawnSync('openssl', ['version']).status !== 0) return 'openssl is not installed, so no certificate can be made';
  if (spawnSync('runuser', ['--help']).status !== 0) return 'runuser is not available to start the cluster as postgres';
  return undefined;
}

export interface TlsCluster {
  port: number;
  /** The CA that signed the server's certificate. */
  caFile: string;
  /** Another CA, which signed nothing the server shows. */
  otherCaFile: string;
  stop(): void;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** A CA (key and self-signed certificate) in `dir`, named `name`. */
function certificateAuthority(dir: string, name: string): { key: string; cert: string } {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.crt`);
  run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
    '-keyout',
    key,
    '-out',
    cert,
  ]);
  return { key, cert };
}

export async function startTlsCluster(): Promise<TlsCluster> {
  const dir = scratchFolder('cis-contact-tls-');
  const ca = certificateAuthority(dir, 'test-ca');
  const other = certificateAuthority(dir, 'other-ca');
  // The server's certificate names localhost only: verify-full by 127.0.0.1 must fail on the name.
  const serverKey = join(dir, 'server.key');
  const serverCsr = join(dir, 'server.csr');
  const serverCert = join(dir, 'server.crt');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName = DNS:localhost\n');
  run('openssl', [
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=localhost',
    '-keyout',
    serverKey,
    '-out',
    serverCsr,
  ]);
  run('openssl', [
    'x509',
    '-req',
    '-in',
    serverCsr,
    '-CA',
    ca.cert,
    '-CAkey',
    ca.key,
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    join(dir, 'san.ext'),
    '-out',
    serverCert,
  ]);
  chmodSync(dir, 0o755);
  for (const file of [serverKey, serverCert])
    chownSync(file, Number(run('id', ['-u', 'postgres']).toString()), Number(run('id', ['-g', 'postgres']).toString()));
  chmodSync(serverKey, 0o600);
  const pgDir = join(dir, 'cluster');
  run('install', ['-d', '-o', 'postgres', '-g', 'postgres', '-m', '0700', pgDir]);
  asPostgres(join(BIN!, 'initdb'), [
    '-D',
    join(pgDir, 'data'),
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--no-sync',
  ]);
  const port = await freePort();
  writeFileSync(
    join(pgDir, 'data', 'pg_hba.conf'),
    [
      '# TLS only: a connection without it is refused.',
      'local all all trust',
      'hostssl all all 127.0.0.1/32 trust',
      'hostssl all all ::1/128 trust',
      'hostnossl all all 0.0.0.0/0 reject',
      'hostnossl all all ::/0 reject',
      '',
    ].join('\n'),
  );
  const options = [
    `-c port=${port}`,
    '-c listen_addresses=localhost',
    `-c unix_socket_directories=${pgDir}`,
    '-c ssl=on',
    `-c ssl_cert_file=${serverCert}`,
    `-c ssl_key_file=${serverKey}`,
    '-c fsync=off',
  ].join(' ');
  asPostgres(join(BIN!, 'pg_ctl'), ['-D', join(pgDir, 'data'), '-l', join(pgDir, 'log'), '-o', options, '-w', 'start']);
  return {
    port,
    caFile: ca.cert,
    otherCaFile: other.cert,
    stop: () => {
      spawnSync(
        'runuser',
        ['-u', 'postgres', '--', join(BIN!, 'pg_ctl'), '-D', join(pgDir, 'data'), '-m', 'immediate', '-w', 'stop'],
        { stdio: 'ignore' },
      );
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
