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

const SSL_REQUEST = 80877103;
const GSS_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;

const QUERY = 0x51; // 'Q'
const PARSE = 0x50; // 'P'
const SYNC = 0x53; // 'S'
const TERMINATE = 0x58; // 'X'
const READY_FOR_QUERY = 0x5a; // 'Z'
const IDLE = 0x49; // 'I'

/** PGlite ends its process on COPY FROM STDIN over the wire (it has no standard input): such a statement is refused instead. */
const COPY_FROM_STDIN = /\bcopy\b[\s\S]*\bfrom\s+stdin\b/i;

/** A message as PostgreSQL frames it: a type byte, then its length (itself included) and body. */
function message(type: number, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header[0] = type;
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

/** An ErrorResponse: severity, SQLSTATE and text. */
function errorResponse(code: string, text: string): Buffer {
  const field = (tag: string, value: string) => Buffer.from(`${tag}${value}\0`, 'utf8');
  return message(
    0x45,
    Buffer.concat([field('S', 'ERROR'), field('V', 'ERROR'), field('C', code), field('M', text), Buffer.from([0])]),
  );
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

export class WireRelay {
  private readonly clients = new Set<Client>();
  /** Clients with messages waiting, in the order they first asked. */
  private readonly queue: Client[] = [];
  /** Whose turn it is, if anyone's. */
  private turn: Client | undefined;
  /** The loop running waiting messages, while one runs. */
  private pumping: Promise<void> | undefined;
  private readonly replies = new ReplyTracker();

  constructor(
    private readonly db: PGlite,
    private readonly events: RelayEvents,
  ) {}

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
      if (this.turn !== client && !this.queue.includes(client)) this.queue.push(client);
      void this.pump();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      client.gone = true;
      this.clients.delete(client);
      client.waiting.length = 0;
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
        if (!this.turn) this.turn = this.queue.shift();
        const client = this.turn;
        if (!client) return;
        const frame = client.waiting.shift();
        // The turn's owner has sent nothing more yet: the session stays its own (a transaction, or a sequence before Sync).
        if (!frame) return;
        await this.relay(client, frame);
        if (this.replies.idle && client.waiting.length === 0) this.turn = undefined;
        else if (this.replies.idle && !client.gone) {
          // Its next statement is another turn: those waiting go first.
          this.turn = undefined;
          this.queue.push(client);
        }
      }
    } catch (error) {
      this.events.onFatal(error);
    }
  }

  /** Cuts every client off, and ends what the one whose turn it was left open. */
  async closeAll(): Promise<void> {
    for (const client of this.clients) {
      client.gone = true;
      client.waiting.length = 0;
      client.socket.destroy();
    }
    this.clients.clear();
    this.queue.length = 0;
    await this.pumping;
    if (this.turn) await this.endAbandonedTurn();
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
