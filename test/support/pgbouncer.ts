/**
 * A real PgBouncer (Debian's package) in front of the test server, started
 * for a test file and stopped after it. Where it is not installed, or the
 * server is not the local one, `startPgBouncer` says why and the tests skip.
 */

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { scratchFolder } from './scratch.js';

export const PGBOUNCER = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].find((p) => existsSync(p));

/** Why the pooler tests cannot run here, or undefined when they can. */
export function poolerUnavailable(serverUrl: string | undefined): string | undefined {
  if (!serverUrl) return 'DATABASE_URL is not set';
  if (!PGBOUNCER) return 'PgBouncer is not installed (apt-get install pgbouncer; .ci/run installs it where it can)';
  const host = new URL(serverUrl).hostname;
  if (!['127.0.0.1', 'localhost', '::1', ''].includes(host)) return `the test server ${host} is not this machine's`;
  return undefined;
}

export interface PoolerDatabase {
  /** The name clients connect to. */
  name: string;
  /** The server's database behind it. */
  database: string;
  /** A user PgBouncer logs in as, whoever the client is (a pooler "forcing one user"). */
  forcedUser?: string;
}

export interface Pooler {
  /** A connection URL through the pooler. */
  url(database: string, user: string): string;
  stop(): Promise<void>;
  log(): string;
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

/** Resolves once something accepts connections on the port: each refused attempt is retried on its own error event. */
function accepting(port: number, child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`pgbouncer exited with ${code} before listening`)));
    const attempt = () => {
      const socket = net.connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => setImmediate(attempt));
    };
    attempt();
  });
}

/** `settings`: more `[pgbouncer]` lines (`default_pool_size = 1`), later lines winning. */
export async function startPgBouncer(
  serverUrl: string,
  mode: 'transaction' | 'session',
  databases: PoolerDatabase[],
  users: string[],
  settings: string[] = [],
): Promise<Pooler> {
  const server = new URL(serverUrl);
  const dir = scratchFolder('cis-contact-pgbouncer-');
  const runAsRoot = process.getuid?.() === 0;
  // PgBouncer will not run as root: it runs as postgres, which must read its files and write its log.
  if (runAsRoot) {
    chmodSync(dir, 0o755);
  }
  const port = await freePort();
  const entries = databases.map(
    (d) =>
      `${d.name} = host=${server.hostname || '127.0.0.1'} port=${server.port || 5432} dbname=${d.database}${d.forcedUser ? ` user=${d.forcedUser}` : ''}`,
  );
  writeFileSync(
    join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      ...entries,
      '',
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${join(dir, 'users.txt')}`,
      `pool_mode = ${mode}`,
      'max_client_conn = 200',
      'default_pool_size = 10',
      `logfile = ${join(dir, 'pgbouncer.log')}`,
      `pidfile = ${join(dir, 'pgbouncer.pid')}`,
      ...settings,
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'users.txt'), users.map((u) => `"${u}" ""`).join('\n') + '\n');
  if (runAsRoot) {
    const [uid, gid] = ['-u', '-g'].map((flag) =>
      Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim()),
    ) as [number, number];
    for (const path of [dir, join(dir, 'pgbouncer.ini'), join(dir, 'users.txt')]) chownSync(path, uid, gid);
  }
  const args = runAsRoot ? ['-u', 'postgres', join(dir, 'pgbouncer.ini')] : [join(dir, 'pgbouncer.ini')];
  const child = spawn(PGBOUNCER!, args, { stdio: 'ignore' });
  await accepting(port, child);
  return {
    url: (database, user) => `postgres://${user}@127.0.0.1:${port}/${database}`,
    log: () => (existsSync(join(dir, 'pgbouncer.log')) ? readFileSync(join(dir, 'pgbouncer.log'), 'utf8') : ''),
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
