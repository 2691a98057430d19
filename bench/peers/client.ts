import { createRequire } from 'node:module';
import { seqOf, type Ledger } from '../ledger.ts';

// A minimal Socket.IO v4 client (engine.io over a WebSocket, no polling), as light per connection
// as the bench's SSE reader: ws is the peer's own package, loaded once preparePeer installed it.
const require = createRequire(import.meta.url);
/** The little of ws's WebSocket this client uses (ws has no types installed here). */
interface Socket {
  on(event: 'message', f: (raw: Buffer) => void): void;
  on(event: 'close' | 'error', f: () => void): void;
  send(text: string): void;
  terminate(): void;
}
let WS: (new (url: string, opts: { perMessageDeflate: boolean }) => Socket) | null = null;

/** A post's acknowledgement as the peer sends it (bench/peers/server.js). */
export interface Ack { message?: { id: string | number } }

/**
 * What a socket offers to recover its session (connection-state recovery, the streams peer): the
 * private session id the server sent in its CONNECT packet, and the offset of the last broadcast
 * received, which that server appends to each broadcast event as a last string argument.
 */
export interface Resume { pid: string; offset: string }

type Handler = (name: string, payload: unknown, at: number) => void;

export class PeerSocket {
  private ws: Socket | null = null;
  private acks = new Map<number, (v: Ack | null) => void>();
  private nextAck = 0;
  closed = false;
  /** The session id from the server's CONNECT packet; only a server with recovery on sends one. */
  pid: string | null = null;
  /** The offset of the last event received since the server sent a session id. */
  offset: string | null = null;
  /** Whether the server took up the session offered (it sent back the same pid, then what was missed). */
  recovered = false;

  constructor(private onEvent: Handler, private onClose: () => void = () => {}) {}

  /**
   * Resolves once the namespace is joined (the server has checked the token and joined the room).
   * With `resume`, the CONNECT packet carries { pid, offset } in its auth as socket.io-client sends
   * them when it reconnects: a server that still has the session sends the missed events (before
   * its CONNECT answer) and answers with the same pid; one that has not answers with a new pid.
   */
  connect(base: string, token: string, room?: string, resume?: Resume): Promise<void> {
    const WebSocket = (WS ??= require('ws') as NonNullable<typeof WS>);
    const q = new URLSearchParams({ EIO: '4', transport: 'websocket', token, ...(room ? { room } : {}) });
    const ws = (this.ws = new WebSocket(`${base.replace('http', 'ws')}/socket.io/?${q}`, { perMessageDeflate: false }));
    if (resume) [this.pid, this.offset] = [resume.pid, resume.offset];
    return new Promise((resolve, reject) => {
      ws.on('message', (raw: Buffer) => {
        const at = performance.now();
        const m = raw.toString();
        if (m === '2') return ws.send('3');
        if (m.startsWith('0')) return ws.send(resume ? `40${JSON.stringify(resume)}` : '40');
        if (m.startsWith('40')) {
          const pid = m.length > 2 ? (JSON.parse(m.slice(2)) as { pid?: string }).pid ?? null : null;
          this.recovered = resume !== undefined && pid === resume.pid;
          this.pid = pid;
          if (!this.recovered) this.offset = null;
          return resolve();
        }
        if (m.startsWith('44')) return reject(new Error(`peer refused the socket: ${m}`));
        if (m.startsWith('42')) {
          const args = JSON.parse(m.slice(2)) as unknown[];
          const last = args.at(-1);
          if (this.pid !== null && args.length > 2 && typeof last === 'string') this.offset = last;
          return this.onEvent(String(args[0]), args[1], at);
        }
        if (m.startsWith('43')) {
          const open = m.indexOf('[');
          const id = Number(m.slice(2, open));
          this.acks.get(id)?.((JSON.parse(m.slice(open)) as [Ack])[0]);
          this.acks.delete(id);
        }
      });
      const gone = () => {
        if (this.closed) return;
        this.closed = true;
        for (const ack of this.acks.values()) ack(null);
        this.acks.clear();
        reject(new Error('peer socket closed'));
        this.onClose();
      };
      ws.on('close', gone);
      ws.on('error', gone);
    });
  }

  emit(name: string, payload: unknown): Promise<Ack | null> {
    if (this.closed) return Promise.resolve(null);
    const id = this.nextAck++;
    return new Promise((resolve) => {
      this.acks.set(id, resolve);
      this.ws?.send(`42${id}${JSON.stringify([name, payload])}`);
    });
  }

  close(): void {
    this.closed = true;
    this.ws?.terminate();
  }
}

/**
 * A reader of one room; with `failover`, it reconnects to the next node when its own goes away. When
 * the peer sent a session id (the streams peer), the new socket offers it with the last offset to
 * the next node, as socket.io-client offers them to its server: any node can take the session up,
 * as it lives in Redis, if the node that lost the socket saved it.
 */
export class PeerReader {
  counts = new Uint8Array(64);
  received = 0;
  duplicates = 0;
  outOfOrder = 0;
  ended = false;
  reconnects = 0;
  /** Reconnects on which the node took the session up (connection-state recovery). */
  recovered = 0;
  private lastId = -1;
  private socket: PeerSocket | null = null;
  private stopped = false;

  constructor(readonly replica: number, readonly room: string, private ledger: Ledger, private failover: string[] = [], private delayMs = 200) {}

  async open(base: string, token: string, resume?: Resume): Promise<void> {
    const socket = new PeerSocket((name, m, at) => name === 'message' && this.event(m as { id: string; body: string }, at), () => this.lost(token, socket));
    this.socket = socket;
    await socket.connect(base, token, this.room, resume);
    if (socket.recovered) this.recovered++;
  }

  private lost(token: string, socket: PeerSocket): void {
    const next = this.failover.shift();
    if (this.stopped || !next) return void (this.ended = true);
    const resume = socket.pid !== null && socket.offset !== null ? { pid: socket.pid, offset: socket.offset } : undefined;
    setTimeout(() => {
      this.reconnects++;
      this.open(next, token, resume).catch(() => (this.ended = true));
    }, this.delayMs);
  }

  close(): void {
    this.stopped = true;
    this.socket?.close();
  }

  count(seq: number): number {
    return this.counts[seq] ?? 0;
  }

  private event(m: { id: string; body: string }, at: number): void {
    const id = Number(m.id);
    const seq = seqOf(`"body":${JSON.stringify(m.body)}`);
    this.received++;
    if (seq === null) return;
    if (seq >= this.counts.length) {
      const grown = new Uint8Array(Math.max(seq + 1, this.counts.length * 2));
      grown.set(this.counts);
      this.counts = grown;
    }
    const n = this.counts[seq]!;
    if (n < 255) this.counts[seq] = n + 1;
    if (n > 0) return void this.duplicates++;
    if (id < this.lastId) this.outOfOrder++;
    else this.lastId = id;
    this.ledger.arrived(seq, this.replica, at);
  }
}
