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

type Handler = (name: string, payload: unknown, at: number) => void;

export class PeerSocket {
  private ws: Socket | null = null;
  private acks = new Map<number, (v: Ack | null) => void>();
  private nextAck = 0;
  closed = false;

  constructor(private onEvent: Handler, private onClose: () => void = () => {}) {}

  /** Resolves once the namespace is joined (the server has checked the token and joined the room). */
  connect(base: string, token: string, room?: string): Promise<void> {
    const WebSocket = (WS ??= require('ws') as NonNullable<typeof WS>);
    const q = new URLSearchParams({ EIO: '4', transport: 'websocket', token, ...(room ? { room } : {}) });
    const ws = (this.ws = new WebSocket(`${base.replace('http', 'ws')}/socket.io/?${q}`, { perMessageDeflate: false }));
    return new Promise((resolve, reject) => {
      ws.on('message', (raw: Buffer) => {
        const at = performance.now();
        const m = raw.toString();
        if (m === '2') return ws.send('3');
        if (m.startsWith('0')) return ws.send('40');
        if (m.startsWith('40')) return resolve();
        if (m.startsWith('44')) return reject(new Error(`peer refused the socket: ${m}`));
        if (m.startsWith('42')) {
          const [name, payload] = JSON.parse(m.slice(2)) as [string, unknown];
          return this.onEvent(name, payload, at);
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

/** A reader of one room; with `failover`, it reconnects to the next node when its own goes away. */
export class PeerReader {
  counts = new Uint8Array(64);
  received = 0;
  duplicates = 0;
  outOfOrder = 0;
  ended = false;
  reconnects = 0;
  private lastId = -1;
  private socket: PeerSocket | null = null;
  private stopped = false;

  constructor(readonly replica: number, readonly room: string, private ledger: Ledger, private failover: string[] = [], private delayMs = 200) {}

  async open(base: string, token: string): Promise<void> {
    this.socket = new PeerSocket((name, m, at) => name === 'message' && this.event(m as { id: string; body: string }, at), () => this.lost(token));
    await this.socket.connect(base, token, this.room);
  }

  private lost(token: string): void {
    const next = this.failover.shift();
    if (this.stopped || !next) return void (this.ended = true);
    setTimeout(() => {
      this.reconnects++;
      this.open(next, token).catch(() => (this.ended = true));
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
