/**
 * Which PostgreSQL server to use, read as libpq (and so psql) reads it: a
 * connection URI (`postgres://` or `postgresql://`, its query parameters
 * included), then the `PG*` environment variables for whatever the URI does
 * not say, then `~/.pgpass` for the password. postgres.js reads a few of
 * these its own way (it ignores `host=` in the query, defaults to no TLS,
 * and sends unknown query parameters to the server as settings), so it is
 * handed every value explicitly, never the URI.
 *
 * A password is never part of anything this module returns for messages.
 */

import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { CisError } from '../domain/errors.js';

type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';
const SSL_MODES: readonly SslMode[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

/** Where and as whom to connect, every value decided. */
export interface ServerConnection {
  /** Host names or addresses, or one socket folder (starting with `/`). */
  hosts: string[];
  ports: number[];
  database: string;
  user: string;
  password: string | undefined;
  sslMode: SslMode;
  /** The CA file for verify-ca and verify-full (or `system`); undefined when none is needed or found. */
  sslRootCert: string | undefined;
  /** The user's own application_name (URI or PGAPPNAME), if any. */
  applicationName: string | undefined;
  /** Seconds to wait for the connection to be ready; 0 waits as long as it takes (postgres.js's connect_timeout). */
  connectTimeout: number;
  /** For messages: the server and database, without the password. */
  location: string;
}

type Environment = Record<string, string | undefined>;

/** The libpq parameters a URI's query may carry that this tool uses; any other is refused, not sent to the server. */
const QUERY_PARAMETERS = new Set([
  'host',
  'hostaddr',
  'port',
  'dbname',
  'user',
  'password',
  'sslmode',
  'sslrootcert',
  'application_name',
  'connect_timeout',
]);

/** Variables that name a server, as psql reads them: with none of them and no URL, the embedded store is used. */
const SERVER_VARIABLES = ['PGHOST', 'PGHOSTADDR', 'PGPORT', 'PGDATABASE', 'PGUSER'];

function namesServer(env: Environment): boolean {
  return SERVER_VARIABLES.some((name) => Boolean(env[name]?.trim()));
}

function invalidUrl(reason: string) {
  return new CisError(
    'usage',
    'database-url-invalid',
    { detail: reason },
    'use the form postgres://user@host:5432/database (percent-encode @ : / ? # in a password, e.g. %23 for #), or set PGHOST, PGUSER, PGDATABASE',
  );
}

function decode(text: string, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw invalidUrl(`its ${what} holds a % not followed by two hexadecimal digits`);
  }
}

interface UriParts {
  user?: string;
  password?: string;
  hosts: string[];
  ports: (number | undefined)[];
  database?: string;
  query: Record<string, string>;
}

function port(text: string, where: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535)
    throw invalidUrl(`${where} "${text}" is not a port number`);
  return Number(text);
}

/**
 * libpq's URI form: postgresql://[user[:password]@][host[:port][,...]][/dbname][?param=value&...].
 * The user part ends at the last `@` before the path, so an unencoded `#`
 * or `@` in a password is still read as part of it, as libpq does.
 */
function parseUri(url: string): UriParts {
  const scheme = /^postgres(?:ql)?:\/\//i.exec(url);
  if (!scheme) throw invalidUrl('it must start with postgres:// or postgresql://');
  let rest = url.slice(scheme[0].length);
  const queryAt = rest.indexOf('?');
  const queryText = queryAt >= 0 ? rest.slice(queryAt + 1) : '';
  rest = queryAt >= 0 ? rest.slice(0, queryAt) : rest;
  const at = rest.lastIndexOf('@');
  const userInfo = at >= 0 ? rest.slice(0, at) : undefined;
  rest = at >= 0 ? rest.slice(at + 1) : rest;
  const slash = rest.indexOf('/');
  const hostPart = slash >= 0 ? rest.slice(0, slash) : rest;
  const databasePart = slash >= 0 ? rest.slice(slash + 1) : '';

  const parts: UriParts = { hosts: [], ports: [], query: {} };
  if (userInfo !== undefined) {
    const colon = userInfo.indexOf(':');
    const user = decode(colon >= 0 ? userInfo.slice(0, colon) : userInfo, 'user name');
    if (user) parts.user = user;
    if (colon >= 0) parts.password = decode(userInfo.slice(colon + 1), 'password');
  }
  for (const hostAndPort of hostPart ? hostPart.split(',') : []) {
    const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(hostAndPort);
    const [host, portText] = bracketed
      ? [bracketed[1]!, bracketed[2]]
      : (hostAndPort.split(':', 2) as [string, string | undefined]);
    parts.hosts.push(decode(host, 'host'));
    parts.ports.push(portText ? port(portText, 'the port') : undefined);
  }
  if (databasePart) parts.database = decode(databasePart, 'database name');
  for (const pair of queryText ? queryText.split('&') : []) {
    if (!pair) continue;
    const equals = pair.indexOf('=');
    const key = decode(equals >= 0 ? pair.slice(0, equals) : pair, 'query');
    if (!QUERY_PARAMETERS.has(key))
      throw invalidUrl(
        `its parameter "${key}" is not one cis-contact uses (it takes ${[...QUERY_PARAMETERS].join(', ')})`,
      );
    parts.query[key] = decode(equals >= 0 ? pair.slice(equals + 1) : '', `parameter ${key}`);
  }
  return parts;
}

/** libpq's default socket folder: the one that holds the server's socket, as Debian's and upstream's builds place it. */
function defaultHost(portNumber: number): string {
  for (const folder of ['/var/run/postgresql', '/tmp']) {
    if (existsSync(join(folder, `.s.PGSQL.${portNumber}`))) return folder;
  }
  return 'localhost';
}

/** A `~/.pgpass` field: `*` matches anything; `\:` and `\\` are escapes. */
function pgpassFields(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  for (let i = 0; i < line.length; i++) {
    const c = line.charAt(i);
    if (c === '\\' && i + 1 < line.length) field += line[++i];
    else if (c === ':') {
      fields.push(field);
      field = '';
    } else field += c;
  }
  fields.push(field);
  return fields;
}

/**
 * The password for host, port, database and user from the password file
 * (PGPASSFILE or ~/.pgpass), which libpq reads only when no one else but its
 * owner can read it.
 */
function passwordFromFile(
  env: Environment,
  host: string,
  portNumber: number,
  database: string,
  user: string,
): string | undefined {
  const file = env.PGPASSFILE || join(env.HOME || homedir(), '.pgpass');
  let text: string;
  try {
    if ((statSync(file).mode & 0o077) !== 0) return undefined;
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const wanted = [host.startsWith('/') ? 'localhost' : host, String(portNumber), database, user];
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const fields = pgpassFields(line);
    if (fields.length < 5) continue;
    if (wanted.every((value, i) => fields[i] === '*' || fields[i] === value)) return fields.slice(4).join(':');
  }
  return undefined;
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'postgres';
  }
}

/**
 * The server to connect to: from `url` when one is given, else from the
 * `PG*` variables when they name one; undefined when neither does (the
 * embedded store is meant).
 */
export function serverConnection(url: string | undefined, env: Environment): ServerConnection | undefined {
  if (!url && !namesServer(env)) return undefined;
  const uri = url ? parseUri(url.trim()) : { hosts: [], ports: [], query: {} as Record<string, string> };
  const query = uri.query;
  const hostList =
    query.host ??
    query.hostaddr ??
    (uri.hosts.some(Boolean) ? uri.hosts.join(',') : undefined) ??
    env.PGHOST ??
    env.PGHOSTADDR;
  const fallbackPort = env.PGPORT ? port(env.PGPORT, 'PGPORT') : 5432;
  const hosts = hostList ? hostList.split(',').map((h) => h.trim()) : [defaultHost(uri.ports[0] ?? fallbackPort)];
  // libpq: one port for every host, or one a host; a host of the URI may carry its own.
  const queryPorts = query.port === undefined ? [] : query.port.split(',').map((p) => port(p.trim(), 'the port'));
  const ports = hosts.map(
    (_, i) => (queryPorts.length === 1 ? queryPorts[0]! : queryPorts[i]) ?? uri.ports[i] ?? fallbackPort,
  );
  const user = query.user ?? uri.user ?? env.PGUSER ?? osUser();
  const database = query.dbname ?? uri.database ?? env.PGDATABASE ?? user;
  const sslText = (query.sslmode ?? env.PGSSLMODE ?? 'prefer').toLowerCase();
  if (!SSL_MODES.includes(sslText as SslMode))
    throw invalidUrl(`sslmode "${sslText}" is not one of ${SSL_MODES.join(', ')}`);
  const sslMode = sslText as SslMode;
  const rootCertGiven = query.sslrootcert ?? env.PGSSLROOTCERT;
  const defaultRootCert = join(env.HOME || homedir(), '.postgresql', 'root.crt');
  const sslRootCert = rootCertGiven ?? (existsSync(defaultRootCert) ? defaultRootCert : undefined);
  const timeoutText = query.connect_timeout ?? env.PGCONNECT_TIMEOUT;
  const connectTimeout =
    timeoutText && /^\d+$/.test(timeoutText) && Number(timeoutText) > 0 ? Math.max(2, Number(timeoutText)) : 10;
  const password =
    query.password ?? uri.password ?? env.PGPASSWORD ?? passwordFromFile(env, hosts[0]!, ports[0]!, database, user);
  const socketFolder = hosts[0]!.startsWith('/') ? hosts[0] : undefined;
  // libpq's own form, which psql takes as it is: a socket folder goes in the host parameter.
  const location = socketFolder
    ? `postgres://${encodeURIComponent(user)}@/${encodeURIComponent(database)}?host=${socketFolder}&port=${ports[0]}`
    : `postgres://${encodeURIComponent(user)}@${hosts.map((h, i) => `${h.includes(':') ? `[${h}]` : h}:${ports[i]}`).join(',')}/${encodeURIComponent(database)}`;
  return {
    hosts,
    ports,
    database,
    user,
    password,
    sslMode,
    sslRootCert,
    applicationName: query.application_name ?? env.PGAPPNAME,
    connectTimeout,
    location,
  };
}
