/**
 * The resident holder's relay: PostgreSQL's wire protocol from many client
 * sockets to the one PGlite session, a client's messages at a time.
 *
 * PGlite is one session. Two clients' messages interleaved would mix their
 * statements: one client's Bind would bind the other's unnamed statement, one
 * client's INSERT would run inside the other's open transaction. So the
 * session is given to one client at a time, for a **turn**: from its first
 * message until PGlite answers ReadyForQuery with the session idle (status
 * `I`: no transaction open, every extended-protocol sequence ended by Sync).
 * Others' messages wait, in the order they came, until then. A turn is a
 * statement outside a transaction, or a whole transaction: so a reader waits
 * at most for a writer's transaction in hand (a batch), never its whole run.
 *
 * A client kept waiting (behind a long transaction, or a client stopped in
 * one) is told, after a few seconds and then now and then, who holds the
 * session, in what, and for how long: a NoticeResponse, which the protocol
 * lets a server send at any time, naming the holder by the application_name
 * of its startup packet (a command's carries its process id).
 *
 * A client that goes away in its turn (killed, or its connection cut) leaves
 * nothing behind: its sequence is ended with a Sync and its open transaction
 * rolled back before the next client's turn.
 *
 * `@electric-sql/pglite-socket` queues single messages rather than turns (a
 * client's Parse and its Bind can be split by another client's) and pins an
 * older PGlite; this relay keeps the turn whole. See docs/storage.md.
 */

import type { PGlite } from '@electric-sql/pglite';
import type { Socket } from 'node:net';
import { HOLDER_WAIT_NOTICE } from './holder-address.js';

const SSL_REQUEST = 80877103;
const GSS_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;

const QUERY = 0x51; // 'Q'
const PARSE = 0x50; // 'P'
const SYNC = 0x53; // 'S'
const TERMINATE = 0x58; // 'X'
const READY_FOR_QUERY = 0x5a; // 'Z'
const IDLE = 0x49; // 'I'
const NOTICE_RESPONSE = 0x4e; // 'N'

/**
 * Clients told of their wait before their startup is answered: the tool's own
 * commands (postgres.js reads a notice at any time). libpq (psql) takes
 * nothing but an authentication request or an error then, and would give up.
 */
const TOLD_BEFORE_STARTUP = /^cis-contact\//;

/** PGlite ends its process on COPY FROM STDIN over the wire (it has no standard input): such a statement is refused instead. */
const COPY_FROM_STDIN = /\bcopy\b[\s\S]*\bfrom\s+stdin\b/i;

/** A message as PostgreSQL frames it: a type byte, then its length (itself included) and body. */
function message(type: number, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header[0] = type;
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

/** An ErrorResponse or NoticeResponse: severity, SQLSTATE and text. */
function report(type: number, severity: string, code: string, text: string): Buffer {
  const field = (tag: string, value: string) => Buffer.from(`${tag}${value}\0`, 'utf8');
  return message(
    type,
    Buffer.concat([field('S', severity), field('V', severity), field('C', code), field('M', text), Buffer.from([0])]),
  );
}

function errorResponse(code: string, text: string): Buffer {
  return report(0x45, 'ERROR', code, text);
}

/** A NoticeResponse (SQLSTATE 00000, successful completion: it reports, it warns of nothing). */
export function noticeResponse(text: string): Buffer {
  return report(NOTICE_RESPONSE, 'NOTICE', '00000', text);
}

/** A startup packet's parameter: after its length and protocol version, name and value pairs, each ended by a zero byte. */
function startupParameter(packet: Buffer, name: string): string | undefined {
  const words = packet.subarray(8).toString('utf8').split('\0');
  for (let i = 0; i + 1 < words.length; i += 2) if (words[i] === name) return words[i + 1];
  return undefined;
}

/** A held time as people say it: seconds, then minutes and seconds. */
function heldFor(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds < 120 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

const SYNC_MESSAGE = message(SYNC, Buffer.alloc(0));
const ROLLBACK_MESSAGE = message(QUERY, Buffer.from('rollback\0', 'utf8'));

/** The SQL text a Query or Parse message carries (a Parse's after its statement's name). */
function statementText(frame: Buffer): string | undefined {
  const body = frame.subarray(5);
  if (frame[0] === QUERY) return body.toString('utf8');
  if (frame[0] !== PARSE) return undefined;
  const nameEnd = body.indexOf(0);
  return body.subarray(nameEnd + 1, body.indexOf(0, nameEnd + 1)).toString('utf8');
}

/**
 * Follows the messages PGlite sends back, across the chunks they come in,
 * to know the last one's type and, for a ReadyForQuery, the session's status.
 */
class ReplyTracker {
  private header: Buffer = Buffer.alloc(0);
  private skip = 0;
  lastType = 0;
  status = IDLE;

  feed(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.skip > 0) {
        const taken = Math.min(this.skip, chunk.length - at);
        if (this.lastType === READY_FOR_QUERY && this.skip === 1) this.status = chunk[at] ?? IDLE;
        at += taken;
        this.skip -= taken;
        continue;
      }
      const need = 5 - this.header.length;
      this.header = Buffer.concat([this.header, chunk.subarray(at, at + need)]);
      at += Math.min(need, chunk.length - at);
      if (this.header.length < 5) return;
      this.lastType = this.header.readUInt8(0);
      this.skip = this.header.readInt32BE(1) - 4;
      this.header = Buffer.alloc(0);
    }
  }

  /** Whether the session is idle: the last reply a ReadyForQuery outside a transaction. */
  get idle(): boolean {
    return this.lastType === READY_FOR_QUERY && this.skip === 0 && this.status === IDLE;
  }
}

/** One client connection: its bytes not yet framed, its whole messages waiting for its turn. */
class Client {
  private buffered: Buffer = Buffer.alloc(0);
  private started = false;
  readonly waiting: Buffer[] = [];
  /** After a refused Parse: what the client sends is dropped until its Sync, as PostgreSQL does after an error. */
  discardUntilSync = false;
  gone = false;
  /** Whether PGlite has answered its startup packet (its first message). */
  answered = false;
  /** Who it says it is (its startup packet's application_name), for those waiting behind it. */
  name = 'a client';
  /** While it waits in the queue: when to tell it again who holds the session. */
  waitTimer: NodeJS.Timeout | undefined;
  /** The holder it was last told of, and when. */
  toldOf: Client | undefined;
  toldAt = 0;

  constructor(readonly socket: Socket) {}

  /** Adds bytes from the socket; returns the whole messages they complete (startup packets answered here). */
  take(chunk: Buffer): Buffer[] {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const frames: Buffer[] = [];
    for (;;) {
      if (!this.started) {
        if (this.buffered.length < 8) break;
        const length = this.buffered.readInt32BE(0);
        if (this.buffered.length < length) break;
        const packet = this.buffered.subarray(0, length);
        this.buffered = this.buffered.subarray(length);
        const code = packet.readInt32BE(4);
        // No TLS or GSS on a socket only its owner can reach; a cancel has no backend to signal.
        if (code === SSL_REQUEST || code === GSS_REQUEST) this.socket.write('N');
        else if (code === CANCEL_REQUEST) this.socket.end();
        else {
          this.started = true;
          this.name = startupParameter(packet, 'application_name') || this.name;
          frames.push(packet);
        }
        continue;
      }
      if (this.buffered.length < 5) break;
      const length = 1 + this.buffered.readInt32BE(1);
      if (this.buffered.length < length) break;
      frames.push(this.buffered.subarray(0, length));
      this.buffered = this.buffered.subarray(length);
    }
    return frames;
  }
}

export interface RelayEvents {
  /** PGlite failed under a message (it may have ended): the holder must stop. */
  onFatal: (error: unknown) => void;
  /** Whenever the number of connected clients changes. */
  onClients?: (count: number) => void;
}

export interface RelayTiming {
  /** How long a client waits for its turn before it is told who holds the session (and how often it is checked again). */
  noticeAfterMs?: number;
  /** How often a client still waiting behind the same holder is told again. */
  noticeEveryMs?: number;
}

export class WireRelay {
  private readonly clients = new Set<Client>();
  /** Clients with messages waiting, in the order they first asked. */
  private readonly queue: Client[] = [];
  /** Whose turn it is, if anyone's. */
  private turn: Client | undefined;
  /** The loop running waiting messages, while one runs. */
  private pumping: Promise<void> | undefined;
  private readonly replies = new ReplyTracker();
  /** When the current turn began. */
  private turnBegan = 0;
  private readonly noticeAfterMs: number;
  private readonly noticeEveryMs: number;

  constructor(
    private readonly db: PGlite,
    private readonly events: RelayEvents,
    timing: RelayTiming = {},
  ) {
    this.noticeAfterMs = timing.noticeAfterMs ?? 3000;
    this.noticeEveryMs = timing.noticeEveryMs ?? 30_000;
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Serves one client connection until it closes. */
  attach(socket: Socket): void {
    const client = new Client(socket);
    this.clients.add(client);
    this.events.onClients?.(this.clients.size);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      const frames = client.take(chunk);
      if (frames.length === 0) return;
      client.waiting.push(...frames);
      if (this.turn !== client && !this.queue.includes(client)) this.enqueue(client);
      void this.pump();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      client.gone = true;
      this.clients.delete(client);
      client.waiting.length = 0;
      clearTimeout(client.waitTimer);
      const queued = this.queue.indexOf(client);
      if (queued >= 0) this.queue.splice(queued, 1);
      this.events.onClients?.(this.clients.size);
      void this.pump();
    });
  }

  /** Runs waiting messages, a turn at a time, until none can run. */
  private pump(): Promise<void> {
    this.pumping ??= this.drain().finally(() => (this.pumping = undefined));
    return this.pumping;
  }

  private async drain(): Promise<void> {
    try {
      for (;;) {
        if (this.turn?.gone) await this.endAbandonedTurn();
        if (!this.turn) {
          this.turn = this.queue.shift();
          this.turnBegan = Date.now();
          clearTimeout(this.turn?.waitTimer);
        }
        const client = this.turn;
        if (!client) return;
        const frame = client.waiting.shift();
        // The turn's owner has sent nothing more yet: the session stays its own (a transaction, or a sequence before Sync).
        if (!frame) return;
        await this.relay(client, frame);
        client.answered = true;
        if (this.replies.idle && client.waiting.length === 0) this.turn = undefined;
        else if (this.replies.idle && !client.gone) {
          // Its next statement is another turn: those waiting go first.
          this.turn = undefined;
          this.enqueue(client);
        }
      }
    } catch (error) {
      this.events.onFatal(error);
    }
  }

  /** Cuts every client off, and ends what the one whose turn it was left open. */
  async closeAll(): Promise<void> {
    for (const client of this.clients) {
      clearTimeout(client.waitTimer);
      client.gone = true;
      client.waiting.length = 0;
      client.socket.destroy();
    }
    this.clients.clear();
    this.queue.length = 0;
    await this.pumping;
    if (this.turn) await this.endAbandonedTurn();
  }

  private enqueue(client: Client): void {
    this.queue.push(client);
    client.toldOf = undefined;
    client.waitTimer = setTimeout(() => this.tellWaiting(client), this.noticeAfterMs).unref();
  }

  /**
   * Tells a client still waiting who holds the session: the first time, then
   * when the holder changes, or once more every so often behind the same one.
   * A waiting client is sent nothing else, and its last reply ended whole
   * (its turn ended at a ReadyForQuery), so the notice never splits a message.
   */
  private tellWaiting(client: Client): void {
    const holder = this.turn;
    if (client.gone || !this.queue.includes(client)) return;
    const now = Date.now();
    const mayTell = client.answered || TOLD_BEFORE_STARTUP.test(client.name);
    if (
      mayTell &&
      holder &&
      holder !== client &&
      (holder !== client.toldOf || now - client.toldAt >= this.noticeEveryMs)
    ) {
      // ReadyForQuery's status: T or E inside a transaction (E a failed one, still open), I outside one.
      const what = this.replies.status === IDLE ? 'with a statement under way' : 'in a transaction';
      client.socket.write(
        noticeResponse(`${HOLDER_WAIT_NOTICE}${holder.name} has held it for ${heldFor(now - this.turnBegan)} ${what}`),
      );
      client.toldOf = holder;
      client.toldAt = now;
    }
    client.waitTimer = setTimeout(() => this.tellWaiting(client), this.noticeAfterMs).unref();
  }

  private async relay(client: Client, frame: Buffer): Promise<void> {
    if (frame[0] === TERMINATE) {
      // The session is PGlite's one: a client's goodbye closes only the client.
      client.socket.end();
      return;
    }
    if (client.discardUntilSync) {
      if (frame[0] !== SYNC) return;
      client.discardUntilSync = false;
    } else {
      const text = statementText(frame);
      if (text !== undefined && COPY_FROM_STDIN.test(text)) {
        client.socket.write(
          errorResponse('0A000', 'COPY FROM STDIN is not served by the cis-contact holder (use INSERT)'),
        );
        if (frame[0] === PARSE) {
          client.discardUntilSync = true;
          return;
        }
        // A simple query answers its error with the session's state.
        client.socket.write(message(READY_FOR_QUERY, Buffer.from([this.replies.status])));
        return;
      }
    }
    await this.execute(frame, (data) => {
      if (!client.gone) client.socket.write(Buffer.from(data));
    });
  }

  /** The client whose turn it was went away: end what it left open, so the next turn starts clean. */
  private async endAbandonedTurn(): Promise<void> {
    if (!this.replies.idle) await this.execute(SYNC_MESSAGE, () => {});
    if (this.db.isInTransaction()) await this.execute(ROLLBACK_MESSAGE, () => {});
    this.turn = undefined;
  }

  private async execute(frame: Buffer, onData: (data: Uint8Array) => void): Promise<void> {
    await this.db.runExclusive(() =>
      this.db.execProtocolRawStream(new Uint8Array(frame), {
        onRawData: (data) => {
          this.replies.feed(data);
          onData(data);
        },
      }),
    );
  }
}
