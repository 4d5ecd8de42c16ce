/**
 * What every command shares: the global options, the store (opened and
 * migrated on first use, closed once at the end), the rule settings, the UI.
 */

import { homedir } from 'node:os';
import { join } from 'node:path';
import { abbreviationFinder, parseAbbreviationList } from '../domain/abbreviations.js';
import type { RuleSettings } from '../domain/contact.js';
import { londonDate } from '../domain/dates.js';
import { DEFAULT_ABBREVIATIONS } from '../domain/vocabulary.js';
import type { Store } from '../storage/database.js';
import type { ChainWait } from '../storage/chain-lock.js';
import {
  asStorageFailure,
  clientBehindStore,
  driverError,
  loginNotOwn,
  noStoreAt,
  permissionDenied,
  readerLost,
  storeBehindClient,
} from '../storage/database-errors.js';
import { type Job, defaultRolePrefix, roleName } from '../storage/roles.js';
import { type ServerConnection, serverConnection } from '../storage/connection.js';
import { VERSION } from './version.js';
import { CisError, usageError } from '../domain/errors.js';
import { type Terminal, Ui } from '../terminal/ui.js';

/** How long a writer waits for the chain unless told otherwise (kept here: the storage code loads only when a store is opened). */
const DEFAULT_CHAIN_WAIT_SECONDS = 60;

export interface GlobalOptions {
  json?: boolean;
  color?: boolean;
  databaseUrl?: string;
  dataDir?: string;
  abbreviations?: string;
  chainWait?: string;
  /** False with --no-holder: the embedded store is opened in the command's own process. */
  holder?: boolean;
}

/**
 * What a command runs with besides its options: the environment, the streams
 * and the signal that asks it to stop. The binary passes its process's; a
 * caller running commands in process passes its own.
 */
export interface SessionIo extends Terminal {
  env: Readonly<Record<string, string | undefined>>;
  stdin: NodeJS.ReadableStream;
  /** Aborted (with the signal's name as its reason, for the binary) when the command should stop at its next safe point. */
  signal: AbortSignal;
  /** The command line's arguments, which a process waiting for the embedded store is told. */
  args: readonly string[];
}

function defaultDataDir(env: SessionIo['env']): string {
  const xdg = env.XDG_DATA_HOME?.trim();
  const home = env.HOME?.trim() || homedir();
  return join(xdg ? xdg : join(home, '.local', 'share'), 'cis-contact');
}

export class Session {
  readonly ui: Ui;
  private opened: Store | undefined;
  /** How many migrations opening the store applied. */
  migrationsApplied = 0;
  /** The job the command does, whose role is named when the login lacks a right. */
  job: Job | undefined;
  /** The prefix of this store's roles, once learned from the server (see `learnRolePrefix`). */
  private rolePrefix: string | undefined;
  /** The server the options and environment name (null: none), once decided. */
  private resolvedServer: ServerConnection | null | undefined;
  /** The command being run (`record`, `db migrate`), for the server's application_name. */
  command = '';

  constructor(
    readonly options: GlobalOptions,
    private readonly io: SessionIo,
  ) {
    this.ui = new Ui(Boolean(options.json), options.color !== false, io);
  }

  get env(): SessionIo['env'] {
    return this.io.env;
  }

  /** What a script of `-` reads. */
  get stdin(): NodeJS.ReadableStream {
    return this.io.stdin;
  }

  /**
   * The server to use, if any, decided once: `--database-url`, else
   * `DATABASE_URL`; else an explicit `--data-dir` or `CIS_CONTACT_DATA_DIR`
   * means the embedded store there; else libpq's `PG*` variables, when they
   * name a server, as psql reads them; else none (the default embedded store).
   * An unreadable URL is a usage error.
   */
  get server(): ServerConnection | undefined {
    if (this.resolvedServer === undefined) {
      const url = this.options.databaseUrl || this.env.DATABASE_URL || undefined;
      const embeddedChosen = !url && Boolean(this.options.dataDir || this.env.CIS_CONTACT_DATA_DIR);
      // Decided once even when the URL is unreadable: the usage error is raised here, and messages after it name no server.
      this.resolvedServer = null;
      if (!embeddedChosen) this.resolvedServer = serverConnection(url, this.env) ?? null;
    }
    return this.resolvedServer ?? undefined;
  }

  /**
   * Whether the embedded store is reached through its resident holder: yes
   * unless --no-holder or CIS_CONTACT_NO_HOLDER (any value but empty or 0) says not.
   */
  get useHolder(): boolean {
    const off = this.env.CIS_CONTACT_NO_HOLDER?.trim();
    return this.options.holder !== false && (off === undefined || off === '' || off === '0');
  }

  get dataDir(): string {
    return this.options.dataDir || this.env.CIS_CONTACT_DATA_DIR || defaultDataDir(this.env);
  }

  /** The server role a job takes in this store: its own prefix if the server said, else the default one for its database. */
  roleFor(job: Job | undefined): string | undefined {
    const server = this.server;
    if (!job || !server) return undefined;
    return roleName(this.rolePrefix ?? defaultRolePrefix(server.database), job);
  }

  get role(): string | undefined {
    return this.roleFor(this.job);
  }

  /**
   * Asks the server which roles `db roles` gave this store (they may carry a
   * prefix of the administrator's choosing), so that a refusal names the
   * right one. Best effort: a login that cannot even connect learns nothing.
   */
  async learnRolePrefix(): Promise<void> {
    const store = this.opened;
    if (!store || store.driver !== 'postgres' || this.rolePrefix) return;
    try {
      const { storeRolePrefix } = await import('../storage/access.js');
      this.rolePrefix = await storeRolePrefix(store.db);
    } catch {
      // The message then names the default role for the database.
    }
  }

  /** Said after a lost connection's message: what the server, asked again, suggests ended the session. */
  lostSessionNote: string | undefined;

  /**
   * After a connection lost with no word from the server: asks it, on a new
   * session of the same login, whether an idle_in_transaction_session_timeout
   * is set, the usual unseen cause. Best effort, like `learnRolePrefix`.
   */
  async learnWhyLost(): Promise<void> {
    const store = this.opened;
    if (!store) return;
    const { idleInTransactionLimit } = await import('../storage/lost-session.js');
    const { idleLimitNote } = await import('../storage/database-errors.js');
    const limit = await idleInTransactionLimit(store);
    if (limit) this.lostSessionNote = idleLimitNote(limit);
  }

  get location(): string {
    return this.opened?.location ?? this.server?.location ?? this.dataDir;
  }

  /** Aborted by the first SIGINT or SIGTERM (in the binary): long commands stop at their next safe point. */
  get signal(): AbortSignal {
    return this.io.signal;
  }

  /**
   * The store, at this client's schema version. Reading commands pass
   * `create: false`: pointed at a place that holds no store (a typo in
   * --data-dir), they fail instead of making an empty one there and reporting
   * on it. An embedded store migrates itself; on a server a store behind this
   * client is upgraded only by `db migrate` (`migrate: true`), run by its
   * administrator once the clients that write to it are upgraded, and every
   * other command leaves it alone. A store ahead of this client is refused
   * for reading and writing alike. `check` runs first, once connected.
   */
  async store(
    options: { create?: boolean; migrate?: boolean; check?: (store: Store) => Promise<void> } = {},
  ): Promise<Store> {
    if (this.opened) return this.opened;
    const create = options.create ?? true;
    // Loaded here, not at start-up: --help and usage errors need no database code.
    const [{ openStore }, { migrate }, { schemaState }, { requireServerVersion }] = await Promise.all([
      import('../storage/open-store.js'),
      import('../storage/migrate.js'),
      import('../storage/schema-version.js'),
      import('../storage/server-version.js'),
    ]);
    const store = await openStore({
      server: this.server,
      dataDir: this.dataDir,
      applicationName: `cis-contact/${VERSION} ${this.command}`.trimEnd(),
      create,
      signal: this.signal,
      lock: { socketDir: this.env.CIS_CONTACT_LOCK_SOCKET_DIR, args: this.io.args },
      onWait: (message) => this.ui.say(message),
      onWarning: (message) => this.ui.talk(`warning: ${message}`),
      ...(this.useHolder ? { holder: { env: this.env } } : {}),
    });
    this.opened = store;
    // Opening, nothing is done yet: a reading command, which never writes, says so in its own words.
    const lost = create ? undefined : readerLost('nothing was read yet');
    let state;
    try {
      if (store.driver === 'postgres') await requireServerVersion(store.db, store.location);
      // A command's own first check (db roles: may this login manage roles here?), which may explain a refusal better.
      await options.check?.(store);
      state = await schemaState(store.db);
    } catch (error) {
      // A login that may not even connect fails here, on the first query: that is its job's role.
      if (/^permission denied for database/.test(driverError(error)?.message ?? '')) await this.learnRolePrefix();
      throw asStorageFailure(error, store.location, this.role, lost) ?? error;
    }
    if (state.kind === 'ahead') throw clientBehindStore(store.location, state.store);
    if (state.kind === 'none' && !create) throw noStoreAt(store.location);
    // A new store is made by any command that may create one; an existing one is upgraded as said above.
    const mayMigrate = state.kind === 'none' || store.driver === 'pglite' || options.migrate === true;
    if (state.kind === 'behind' && !mayMigrate) {
      await this.learnRolePrefix();
      throw storeBehindClient(store.location, state.store, this.roleFor('admin'));
    }
    // A writer must be the login it asked to be: the database stamps each contact with its session's login,
    // and a connection pooler that logs in as one fixed user would put that user's name on everyone's work.
    if (create && store.driver === 'postgres') await this.assertOwnLogin(store);
    if (state.kind === 'current') return store;
    try {
      this.migrationsApplied = await migrate(store.db, store.location);
    } catch (error) {
      if (error instanceof CisError) throw error;
      const failure = asStorageFailure(error, store.location, this.roleFor('admin'), lost) ?? error;
      if (failure instanceof CisError && failure.code === 'permission-denied') {
        await this.learnRolePrefix();
        throw permissionDenied(
          store.location,
          `the store needs its schema upgraded by cis-contact db migrate: ${(error as Error).message}`,
          this.roleFor('admin'),
        );
      }
      throw failure;
    }
    return store;
  }

  private async assertOwnLogin(store: Store): Promise<void> {
    const asked = this.server?.user;
    const { currentWriter } = await import('../storage/reference-repository.js');
    const { login } = await currentWriter(store.db);
    if (asked && login !== asked) throw loginNotOwn(store.location, asked, login);
  }

  /**
   * How a writer waits for the chain: at most --chain-wait seconds
   * (CIS_CONTACT_CHAIN_WAIT, default 60), naming who holds it on stderr, and
   * ended by the first SIGINT or SIGTERM with nothing stored.
   */
  chainWait(store: Store): ChainWait {
    const given = this.options.chainWait ?? this.env.CIS_CONTACT_CHAIN_WAIT;
    const seconds = given === undefined || given.trim() === '' ? DEFAULT_CHAIN_WAIT_SECONDS : Number(given);
    if (!Number.isFinite(seconds) || seconds <= 0) {
      throw usageError(
        `--chain-wait (or CIS_CONTACT_CHAIN_WAIT) must be a number of seconds above 0, not ${JSON.stringify(given)}`,
      );
    }
    return {
      seconds,
      signal: this.signal,
      location: store.location,
      onWait: (message) => this.ui.say(message),
      // On a server another connection names the holder and cancels the wait; the embedded store has one connection and no other holder.
      ...(store.driver === 'postgres' ? { monitor: store.db } : {}),
    };
  }

  /**
   * `record`'s PID when --operator is not given: CIS_CONTACT_OPERATOR, else,
   * on a server, the one PID the login is bound to (none, or several: no default).
   */
  async defaultOperator(store: Store): Promise<string | undefined> {
    const given = this.env.CIS_CONTACT_OPERATOR?.trim();
    if (given) return given;
    if (store.driver !== 'postgres') return undefined;
    const { pidsBoundToLogin } = await import('../storage/reference-repository.js');
    const bound = await pidsBoundToLogin(store.db);
    return bound.length === 1 ? bound[0] : undefined;
  }

  rules(strict = false, now = new Date()): RuleSettings {
    const configured = this.options.abbreviations ?? this.env.CIS_CONTACT_ABBREVIATIONS;
    const list = configured === undefined ? DEFAULT_ABBREVIATIONS : parseAbbreviationList(configured);
    return { today: londonDate(now), strict, abbreviations: abbreviationFinder(list) };
  }

  /** Lets go of the store; `now` when its connection is known to be gone, so nothing waits on it. */
  async close(options: { now?: boolean } = {}): Promise<void> {
    const store = this.opened;
    this.opened = undefined;
    await store?.close(options);
  }
}
