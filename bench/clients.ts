import { request, type ClientRequest } from 'node:http';
import { EventStreamParser } from '../src/sync/event-parser.ts';
import { seqOf, type Ledger } from './ledger.ts';
import type { Reader } from './delivery.ts';

export { checkDelivery, drain, type Delivery, type Reader } from './delivery.ts';

/** One SSE reader, parsing only what the bench needs: the cursor and the sequence number in the body. */
export class SseClient implements Reader {
  /** How many copies of each sequence number arrived (index: seq). */
  counts = new Uint8Array(64);
  received = 0;
  duplicates = 0;
  outOfOrder = 0;
  ended = false;
  private lastTx = -1;
  private lastId = -1;
  private parser = new EventStreamParser();
  private req: ClientRequest | null = null;
  private lastCursor = '';
  private stopped = false;
  private waiting = false;
  reconnects = 0;

  /** With `failover`, a stream that breaks reconnects to the next base with Last-Event-ID, as EventSource does. */
  constructor(readonly replica: number, readonly room: string, private ledger: Ledger, private failover: string[] = [], private delayMs = 200) {}

  /** Resolves once the response headers arrived: from then on the stream is subscribed. */
  open(base: string, cookie: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const url = new URL(`/rooms/${this.room}/events`, base);
      const headers: Record<string, string> = { accept: 'text/event-stream', cookie };
      if (this.lastCursor) headers['last-event-id'] = this.lastCursor;
      // agent: false gives every stream its own connection, without a pool limit.
      const req = request(url, { agent: false, headers }, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          return reject(new Error(`stream ${this.room} on replica ${this.replica}: HTTP ${res.statusCode}`));
        }
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => this.feed(chunk));
        res.on('close', () => this.lost(cookie));
        resolve();
      });
      req.on('error', (err) => {
        this.lost(cookie);
        reject(err);
      });
      req.end();
      this.req = req;
    });
  }

  private lost(cookie: string): void {
    if (this.stopped || this.ended || this.waiting) return;
    const next = this.failover.shift();
    if (!next) return void (this.ended = true);
    this.waiting = true;
    setTimeout(() => {
      this.waiting = false;
      if (this.stopped) return;
      this.reconnects++;
      this.parser = new EventStreamParser();
      this.open(next, cookie).catch(() => (this.ended = true));
    }, this.delayMs);
  }

  close(): void {
    this.stopped = true;
    this.req?.destroy();
  }

  count(seq: number): number {
    return this.counts[seq] ?? 0;
  }

  private feed(chunk: string): void {
    const at = performance.now();
    for (const e of this.parser.push(chunk)) if (e.id) this.event(e.id, e.data, at);
  }

  private event(cursor: string, data: string, at: number): void {
    // The cursor is "<tx>-<id>" in base 36 (src/sync/cursor.ts); numbers are exact far beyond a bench's ids.
    const dash = cursor.indexOf('-');
    const tx = parseInt(cursor.slice(0, dash), 36);
    const id = parseInt(cursor.slice(dash + 1), 36);
    const later = tx > this.lastTx || (tx === this.lastTx && id > this.lastId);
    const seq = seqOf(data);
    this.received++;
    const n = seq === null ? 0 : this.bump(seq);
    if (n > 0) this.duplicates++;
    else if (!later) this.outOfOrder++;
    if (later) {
      this.lastTx = tx;
      this.lastId = id;
      this.lastCursor = cursor;
    }
    if (seq !== null && n === 0) this.ledger.arrived(seq, this.replica, at);
  }

  /** Counts one more copy of seq; returns how many there were before. */
  private bump(seq: number): number {
    if (seq >= this.counts.length) {
      const grown = new Uint8Array(Math.max(seq + 1, this.counts.length * 2));
      grown.set(this.counts);
      this.counts = grown;
    }
    const n = this.counts[seq]!;
    if (n < 255) this.counts[seq] = n + 1;
    return n;
  }
}

/** Client i reads room i mod rooms on replica (i div rooms) mod replicas: every room on every replica. */
export async function openClients(
  count: number, rooms: string[], bases: string[], ledger: Ledger, cookie: string, parallel = 200,
): Promise<SseClient[]> {
  const clients = Array.from({ length: count }, (_, i) =>
    new SseClient(Math.floor(i / rooms.length) % bases.length, rooms[i % rooms.length]!, ledger));
  for (let i = 0; i < clients.length; i += parallel) {
    await Promise.all(clients.slice(i, i + parallel).map((c) => c.open(bases[c.replica]!, cookie)));
  }
  return clients;
}

export function closeClients(clients: Reader[]): void {
  for (const c of clients) c.close();
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
