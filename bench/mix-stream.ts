import { request, type ClientRequest } from 'node:http';
import { EventStreamParser } from '../src/sync/event-parser.ts';
import type { Kind, MixLedger } from './mix-load.ts';

const KINDS = new Set(['message', 'edit', 'reaction']);
const SEQ = /^bench (\d+)/;

/** A stream of the mix: one room (`/rooms/<slug>/events`) or every room (`room` '*': `GET /events`). */
export class MixStream {
  /** First copy's cursor per event `kind:seq`, and copies beyond the first. */
  cursors = new Map<string, string>();
  duplicates = 0;
  outOfOrder = 0;
  ended = false;
  private last = { tx: -1, id: -1 };
  private parser = new EventStreamParser();
  private req: ClientRequest | null = null;

  constructor(readonly replica: number, readonly room: string, private ledger: MixLedger) {}

  open(base: string, cookie: string): Promise<void> {
    const path = this.room === '*' ? '/events' : `/rooms/${this.room}/events`;
    return new Promise((resolve, reject) => {
      const req = request(new URL(path, base), { agent: false, headers: { accept: 'text/event-stream', cookie } }, (res) => {
        if (res.statusCode !== 200) return void res.resume(), reject(new Error(`${path}: HTTP ${res.statusCode}`));
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => this.feed(chunk));
        res.on('close', () => (this.ended = true));
        resolve();
      });
      req.on('error', (err) => ((this.ended = true), reject(err)));
      req.end();
      this.req = req;
    });
  }

  close(): void {
    this.req?.destroy();
  }

  private feed(chunk: string): void {
    const at = performance.now();
    for (const e of this.parser.push(chunk)) {
      if (e.id && KINDS.has(e.event)) this.event(e.event as Kind, e.id, JSON.parse(e.data) as { id: string; body?: string }, at);
    }
  }

  private event(kind: Kind, cursor: string, data: { id: string; body?: string }, at: number): void {
    const seq = kind === 'message' ? Number(SEQ.exec(data.body ?? '')?.[1] ?? NaN) : this.ledger.seqById.get(String(data.id));
    if (seq === undefined || Number.isNaN(seq)) return;
    const key = `${kind}:${seq}`;
    const [tx, id] = cursor.split('-').map((p) => parseInt(p, 36)) as [number, number];
    if (this.cursors.has(key)) return void this.duplicates++;
    if (tx < this.last.tx || (tx === this.last.tx && id <= this.last.id)) this.outOfOrder++;
    else this.last = { tx, id };
    this.cursors.set(key, cursor);
    this.ledger.arrived(key, this.replica, at);
  }
}

export interface MixDelivery { lost: Record<Kind, number>; duplicates: number; outOfOrder: number; cursorMismatch: number; ended: number }

/** Every stream holds every accepted event of its room once, in cursor order, under the same cursor as on every other stream. */
export function checkMix(streams: MixStream[], ledger: MixLedger): MixDelivery {
  const d: MixDelivery = { lost: { message: 0, edit: 0, reaction: 0 }, duplicates: 0, outOfOrder: 0, cursorMismatch: 0, ended: 0 };
  const accepted = ledger.accepted();
  const cursorOf = new Map<string, string>();
  for (const s of streams) {
    for (const op of accepted) {
      if (s.room !== '*' && s.room !== op.room) continue;
      const key = `${op.kind}:${op.seq}`;
      const c = s.cursors.get(key);
      if (c === undefined) d.lost[op.kind]++;
      else if ((cursorOf.get(key) ?? cursorOf.set(key, c).get(key)) !== c) d.cursorMismatch++;
    }
    d.duplicates += s.duplicates;
    d.outOfOrder += s.outOfOrder;
    if (s.ended) d.ended++;
  }
  return d;
}
