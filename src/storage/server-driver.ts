/** PostgreSQL server through postgres.js. */

import net from 'node:net';
import postgres from 'postgres';
import { StringDecoder } from 'node:string_decoder';
import { type SQL } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import { PgDialect } from 'drizzle-orm/pg-core';
import { readFileSync } from 'node:fs';
import { usageError } from '../domain/errors.js';
import type { ServerConnection } from './connection.js';
import { BatchRefused, asStorageFailure } from './database-errors.js';
import * as schema from './schema.js';
import type { CopySender, Database, Store, Transaction } from './database.js';
import { copyChunks, copyWriter } from './bulk-copy.js';
import { pinEveryStatement, pinningStatement } from './transaction-settings.js';

/**
 * The postgres.js transaction behind a drizzle transaction, for COPY, which
 * drizzle does not speak. drizzle documents only the database's client
 * (`db.$client`), and COPY must run inside the transaction, so this reads its
 * internal `session.client`: drizzle-orm is pinned to an exact version in
 * package.json, and test/storage/library-internals.test.ts ("drizzle-orm
 * … still exposes a transaction's driver client as tx.session.client") fails
 * on an upgrade that moves it.
 */
function clientOf(tx: Transaction): postgres.TransactionSql {
  return (tx as unknown as { session: { client: postgres.TransactionSql } }).session.client;
}

const copy: CopySender = async (tx, table, columns, text) => {
  if (text.length === 0) return;
  const client = clientOf(tx);
  const target = await client`copy public.${client(table)} (${client(columns as string[])}) from stdin`.writable();
  const finished = new Promise<void>((resolve, reject) => {
    target.once('finish', resolve);
    target.once('error', reject);
  });
  finished.catch(() => {});
  for (const message of copyChunks(text)) {
    // A write fails once postgres.js has ended the COPY under it (ERR_STREAM_DESTROYED): the server refused
    // the rows, or the connection went. The statement after the COPY tells which; the write's error cannot.
    const written = await new Promise<boolean>((resolve) => target.write(message, (error) => resolve(!error)));
    if (!written) break;
  }
  if (!target.destroyed) target.end();
  // Let the stream send CopyDone before anything else goes down the connection.
  await new Promise((resolve) => setImmediate(resolve));
  // postgres.js never settles a COPY the server refused (porsager/postgres#1173), but
  // does run the next query on the connection: it succeeds after a good COPY, and
  // fails (the transaction is aborted) after a refused one.
  await client`select 1`.catch((error: unknown) => {
    // A connection lost mid-COPY is not a refusal of the rows: it must fail the command, not reject them.
    if (asStorageFailure(error, '')) throw error;
    throw new BatchRefused(`public.${table}`);
  });
  await finished;
};

const dialect = new PgDialect();

/**
 * A value as an SQL string constant. The escape-string form (`E'…'`, each
 * backslash and quote doubled) reads the same whatever the session's
 * standard_conforming_strings, and the connection's client_encoding is
 * UTF8 (postgres.js sets it at startup), in which no character's bytes hold
 * a quote or a backslash.
 */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  return `E'${String(value).replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/**
 * COPY takes no parameters, so a query's are written into its text as
 * string constants, whose type the server infers from where they stand
 * exactly as it does for an untyped parameter: beside a `character(10)`
 * column it is compared as a `character` value, whole (the old cast to the
 * type's bare name, `character`, cut it to one character).
 * The query holds no `$n` of its own, so every `$n` is one of drizzle's.
 */
function withValuesWritten(query: SQL): string {
  const { sql: text, params } = dialect.sqlToQuery(query);
  return text.replace(/\$(\d+)/g, (_, n: string) => literal(params[Number(n) - 1]));
}

/** A connection of its own, and a way to cut it off however busy it is. */
interface Severable {
  sql: postgres.Sql;
  sever: () => void;
}

/**
 * COPY (query) TO STDOUT: its text format, as it comes, in chunks of whole
 * lines. It runs on a connection of its own: postgres.js cannot stop a COPY
 * half read (the server keeps sending, and a polite close waits for it
 * forever), so a reader that stops early cuts that connection off, and the
 * store's others are untouched. It is sent as one message with the
 * statement that pins the transaction's settings (transaction-settings.ts)
 * before it: the server runs the two as one transaction, so the COPY runs
 * under them, and it is still the connection's first and only message. (A
 * COPY sent after another message on the same fresh connection was seen to
 * hang now and then, its output never read.)
 */
function copyOutOf(connect: () => Severable) {
  return async function* copyOut(query: SQL): AsyncGenerator<string> {
    const text = `${pinningStatement()}; copy (${withValuesWritten(query)}) to stdout`;
    const { sql: connection, sever } = connect();
    let finished = false;
    try {
      const source = await connection.unsafe(text).readable();
      const decoder = new StringDecoder('utf8');
      let rest = '';
      for await (const chunk of source) {
        const lines = rest + decoder.write(chunk as Buffer);
        const end = lines.lastIndexOf('\n') + 1;
        rest = lines.slice(end);
        if (end > 0) yield lines.slice(0, end);
      }
      if (rest !== '') throw new Error('COPY output ended in the middle of a line');
      finished = true;
    } finally {
      if (!finished) sever();
      await connection.end({ timeout: finished ? 5 : 0 });
    }
  };
}

/**
 * What postgres.js passes to its `socket` option: its parsed options, the same
 * object each time. Its README shows `host` and `port` as arrays and `path`
 * as an option; that this is the whole shape, and that it names the TLS
 * server after the returned socket's `host`, are its internals: postgres is
 * pinned to an exact version in package.json, and
 * test/storage/library-internals.test.ts ("postgres … still calls the socket
 * option with …") fails on an upgrade that changes either.
 */
interface SocketTarget {
  host: string[];
  port: number[];
  path: string | false;
}

const nextHost = new WeakMap<SocketTarget, number>();

/**
 * postgres.js leaves Nagle's algorithm on, so a small message right after a
 * large one (the COMMIT after a COPY) waits for the server's delayed ACK: 40 ms
 * a batch on Linux, measured as a third of an import's time. The driver opens
 * the socket itself, with noDelay. It is handed back still connecting (writes
 * wait in it), so postgres.js's own connect timeout, error handling and turn
 * to the next host of a multi-host URL work as with its own sockets; each
 * call takes the next host, as postgres.js does.
 */
function socketWithoutDelay(target: SocketTarget): net.Socket {
  if (target.path) return net.connect({ path: target.path });
  const i = nextHost.get(target) ?? 0;
  nextHost.set(target, (i + 1) % target.host.length);
  const host = target.host[i]!;
  const socket = net.connect({ host, port: target.port[i] ?? target.port[0]!, noDelay: true });
  // postgres.js names the TLS server after it (`servername` in its connection.js), as it does with its own sockets.
  return Object.assign(socket, { host });
}

/** Connections a command holds at most: its pool, and one more while a COPY out streams (see docs/operations.md). */
const SERVER_CONNECTIONS = 4;

/** postgres.js's TLS option for libpq's sslmode: see docs/operations.md for how each mode is read. */
function tlsOption(connection: ServerConnection): postgres.Options<Record<string, never>>['ssl'] {
  if (connection.hosts[0]!.startsWith('/')) return false; // libpq never uses TLS on a Unix socket
  const { sslMode, sslRootCert } = connection;
  if (sslMode === 'disable') return false;
  // postgres.js's 'allow' demands TLS; libpq's tries without first. Preferring TLS is the closer safe reading.
  if (sslMode === 'allow' || sslMode === 'prefer') return 'prefer';
  if (sslMode === 'require' && !sslRootCert) return 'require';
  if (!sslRootCert) {
    throw usageError(
      `sslmode=${sslMode} verifies the server's certificate, and no root certificate was given`,
      "name the CA that signed it with sslrootcert=FILE in the URL (or PGSSLROOTCERT), use sslrootcert=system for the system's trusted roots, or sslmode=require to encrypt without verifying",
    );
  }
  let ca: string | undefined;
  if (sslRootCert !== 'system') {
    try {
      ca = readFileSync(sslRootCert, 'utf8');
    } catch (error) {
      throw usageError(
        `the root certificate ${sslRootCert} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
        'check sslrootcert in the URL, or PGSSLROOTCERT',
      );
    }
  }
  // libpq: require with a root certificate, and verify-ca, check the chain but not the host name.
  const verifyName = sslMode === 'verify-full';
  return {
    ...(ca ? { ca } : {}),
    rejectUnauthorized: true,
    ...(verifyName
      ? connection.hosts.length === 1
        ? { host: connection.hosts[0]! }
        : {}
      : { checkServerIdentity: () => undefined }),
  };
}

/** postgres.js's options for the connection, every value given (it reads some from the environment its own way otherwise). */
function clientOptions(connection: ServerConnection, applicationName: string, pool: PoolSize) {
  const socketFolder = connection.hosts[0]!.startsWith('/') ? connection.hosts[0]! : undefined;
  return {
    ...(socketFolder
      ? { path: `${socketFolder}/.s.PGSQL.${connection.ports[0]!}` }
      : { host: connection.hosts, port: connection.ports }),
    database: connection.database,
    username: connection.user,
    ...(connection.password === undefined ? {} : { password: connection.password }),
    ssl: tlsOption(connection),
    max: pool.connections ?? SERVER_CONNECTIONS,
    // A server's notices are not the user's business; the holder's client passes on the holder's own.
    onnotice: pool.onNotice ?? (() => {}),
    connect_timeout: connection.connectTimeout,
    // Unnamed statements only: behind a pooler in transaction mode the next transaction may run on another
    // server connection, where a statement prepared by name on the last one does not exist.
    prepare: false,
    // Nothing but application_name in the startup message: connection poolers refuse other parameters.
    connection: { application_name: connection.applicationName ?? applicationName },
    socket: socketWithoutDelay,
  };
}

/** How many connections the store's pool may open (the holder's clients take one: PGlite is one session). */
interface PoolSize {
  connections?: number;
  /** Told of each NoticeResponse the server sends. */
  onNotice?: (notice: postgres.Notice) => void;
}

export async function openServerStore(
  connection: ServerConnection,
  applicationName: string,
  pool: PoolSize = {},
): Promise<Store> {
  const location = connection.location;
  const options = clientOptions(connection, applicationName, pool);
  // `socket` is a documented option that postgres.js's type definitions leave out.
  const client = postgres(options as unknown as postgres.Options<Record<string, never>>);
  const copyConnection = (): Severable => {
    const sockets: net.Socket[] = [];
    const socket = (target: SocketTarget) => {
      const opened = socketWithoutDelay(target);
      sockets.push(opened);
      return opened;
    };
    const sql = postgres({ ...options, max: 1, socket } as unknown as postgres.Options<Record<string, never>>);
    return { sql, sever: () => sockets.forEach((s) => s.destroy()) };
  };
  const db = drizzle(client, { schema }) as unknown as Database;
  pinEveryStatement(db);
  return {
    db,
    driver: 'postgres',
    location,
    bulkWriter: copyWriter(copy),
    copy,
    copyOut: copyOutOf(copyConnection),
    close: (options) => client.end({ timeout: options?.now ? 0 : 5 }),
  };
}
