import type { ServerResponse } from 'node:http';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Sql } from '../db/connect.ts';
import { compare, type Position } from './cursor.ts';
import type { Logger } from '../ops/log.ts';
import type { Reader, RoomRegistry } from '../rooms/registry.ts';
import { ByteBudget, pageOf } from './budget.ts';
import { StreamCaps } from './caps.ts';
import { coalesce } from './coalesce.ts';
import { catchUp, Slots, type CatchUpLimits } from './catch-up.ts';
import { visibleTo, type LogEvent } from './log.ts';
import type { Batch, FeedItem, Listener } from './feed.ts';
import type { Hub } from './hub.ts';
import { readerKeepsUp, writeShared, type Wire } from './wire.ts';

// A live reader this far behind is cut off; it reconnects with Last-Event-ID and catches up in pages.
const MAX_BUFFERED = 1 << 20;
const MEMORY_PAGE = 50;
// A catch-up page is also bounded by bytes, and all catch-ups of a replica together by CATCH_UP_IN_FLIGHT.
const PAGE_BYTES = 128 * 1024;
const CATCH_UP_IN_FLIGHT = 2 * 1024 * 1024;
// The comment keeps proxies from closing an idle stream; the named event lets the script see that
// the stream is alive (EventSource hides comments), and reconnect when two pings are missed.
const PING_TEXT = ': ping\nevent: ping\ndata: {}\n\n';
// Sent before a stream ends because its session ended (sign out, everywhere, a new password,
// deactivation): the page stops reconnecting and says so.
const SIGNED_OUT = `event: signed-out\ndata: ${JSON.stringify({ reason: 'Your session has ended. Sign in again.' })}\n\n`;
const PING: Wire = { text: PING_TEXT, chunk: Buffer.from(`${Buffer.byteLength(PING_TEXT).toString(16)}\r\n${PING_TEXT}\r\n`) };

export interface StreamsOptions {
  hub: Hub;
  sql: Sql;
  rooms: RoomRegistry;
  log: Logger;
  limits: CatchUpLimits & { perUser: number | null; perAddress: number | null };
  pingMs?: number;
  retryMs?: number;
}

export interface StreamRequest {
  /** One room, or null for every room the reader may read. */
  roomId: number | null;
  reader: Reader | null;
  /** Checks, when this person's account changes, that their session still lives. */
  stillSignedIn: () => Promise<boolean>;
  address: string;
  after: Position | null;
  headers: Record<string, string>;
}

interface Open extends StreamRequest { out: ServerResponse }

/** The open event streams of this replica: one ping timer for all, caps, access, and a way to end them all. */
export class Streams {
  private open = new Set<Open>();
  private caps: StreamCaps;
  private pingTimer: NodeJS.Timeout | null = null;
  private closing = false;
  private slots = new Slots(2);
  private budget = new ByteBudget(CATCH_UP_IN_FLIGHT);

  constructor(private o: StreamsOptions) {
    this.caps = new StreamCaps(o.limits);
  }

  get size(): number {
    return this.open.size;
  }

  admit(reader: Reader | null, address: string): 'ok' | 'user' | 'address' {
    return this.caps.admit(reader, address);
  }

  /**
   * Streams one room, or every room the reader may read (`roomId` null: GET /events), from just
   * after `after` (or from now): first from the database, in pages, while `after` is older than
   * what the feed holds, then from the feed. Every event goes out once, in order.
   */
  async serve(out: ServerResponse, req: StreamRequest): Promise<void> {
    const { hub, rooms } = this.o;
    out.writeHead(200, {
      ...req.headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
    });
    out.write(`retry: ${this.o.retryMs ?? 2000}\n\n`);
    const room = req.roomId === null ? null : rooms.byId(req.roomId);
    if (this.closing || room === undefined) return void out.end();

    const stream: Open = { ...req, out };
    const feed = room ? hub.feed(room.slug) : hub.all;
    let last = req.after ?? hub.head;
    let live = false;
    // Access is decided from memory, kept current by the poll: no query per delivery.
    const mine = (i: FeedItem) => compare(i.position, last) > 0 && visibleTo(i, req.reader, rooms);
    const send = (items: FeedItem[], batch?: Batch) => {
      const fresh = items.every(mine) ? items : items.filter(mine);
      if (fresh.length === 0 || out.writableEnded) return;
      // A live reader still holding a megabyte from before is too slow: cut it off (it resumes with
      // Last-Event-ID). Checked before the write, so one large poll never cuts a reader that keeps
      // up. Shared chunks go to the socket itself, so its buffer is where a slow reader shows.
      if (live && out.writableLength + (out.socket?.writableLength ?? 0) > MAX_BUFFERED) return void out.destroy();
      if (fresh === items && batch) writeShared(out, batch);
      else out.write(fresh.map((i) => i.frame).join(''));
      last = fresh.at(-1)!.position;
    };
    const listener: Listener = (batch) => {
      if (!live) return;
      // A deleted room's stream takes the room event that says so, then ends.
      if (room && rooms.deleted(room.id)) {
        send(batch.items, batch);
        if (batch.items.some((i) => i.roomDeleted)) out.end();
        return;
      }
      if (room && !rooms.canRead(req.reader, rooms.byId(room.id) ?? room)) return void out.end();
      send(batch.items, batch);
    };
    feed.listeners.add(listener);
    this.add(stream);
    out.on('close', () => {
      feed.listeners.delete(listener);
      this.remove(stream);
    });

    // From the database while the position is older than what the feed holds, then what the feed
    // holds, a page at a time, each waiting for the reader. The feed may evict past the position
    // during a wait, so the loop checks again; the last check and going live share one turn.
    for (;;) {
      if (compare(last, feed.floor) < 0) {
        const ids = room ? [room.id] : rooms.all().filter((r) => rooms.canRead(req.reader, r)).map((r) => r.id);
        const result = await this.fromDatabase(out, ids, req.reader, last, () => feed.floor, (events) => {
          if (events.length > 0) send(events.map((e) => hub.frame(e)));
          return events.at(-1)?.position ?? last;
        });
        if (result !== 'done') return;
      }
      const backlog = feed.after(last);
      if (backlog.length === 0) break;
      // A stream already live takes every event; one catching up takes the latest state once.
      const held = coalesce(backlog);
      const page = pageOf(held, MEMORY_PAGE, PAGE_BYTES);
      const release = await this.budget.take(page.reduce((n, i) => n + i.bytes, 0));
      // While it waited its turn the feed may have evicted past the position: look again.
      if (compare(last, feed.floor) < 0 || out.destroyed || out.writableEnded) {
        release();
        if (out.destroyed || out.writableEnded) return;
        continue;
      }
      send(page);
      // Past the events coalesced away too: the page's last one may not be the backlog's.
      last = page.length === held.length ? backlog.at(-1)!.position : page.at(-1)!.position;
      const keepsUp = await readerKeepsUp(out);
      release();
      if (!keepsUp) return void out.destroy();
      // Let /healthz, polls and other streams in between pages.
      await nextTurn();
    }
    live = true;
  }

  private async fromDatabase(out: ServerResponse, roomIds: number[], reader: Reader | null, from: Position, floor: () => Position, send: (events: LogEvent[]) => Position) {
    const result = await catchUp(this.o.sql, this.o.limits, this.slots, this.budget, out, { roomIds, reader }, from, floor, send).catch((err: Error) => {
      this.o.log.warn('stream catch-up failed', { error: err.message });
      return 'failed' as const;
    });
    if (result === 'failed') out.destroy();
    // Resuming would cost more than a fresh view: the client reloads and starts over.
    if (result === 'too-far') out.end(`event: reload\ndata: ${JSON.stringify({ reason: 'The stream is too far behind to resume; reload the view.' })}\n\n`);
    return result;
  }

  /**
   * After room, membership or account changes were polled: streams whose reader lost the room end
   * at once (the browser's reconnect then gets a 404 or 401), and streams of people whose account
   * or sessions changed end, with `event: signed-out`, unless their session still lives.
   */
  async revalidate(users: Set<string>): Promise<void> {
    for (const s of this.open) {
      const room = s.roomId === null ? null : this.o.rooms.byId(s.roomId);
      // A deleted room's own streams end once they have heard so (the listener in serve()).
      if (room === undefined && s.roomId !== null && this.o.rooms.deleted(s.roomId)) continue;
      if (room === undefined || (room && !this.o.rooms.canRead(s.reader, room))) s.out.end();
      else if (s.reader && users.has(s.reader.id) && !(await s.stillSignedIn().catch(() => true))) s.out.end(SIGNED_OUT);
    }
  }

  /**
   * Writes one frame from outside the log (it carries no id, so no cursor moves) to the streams
   * that show a room: its own, and every-room streams whose reader may read it and that `shows`
   * (when given) picks.
   */
  sendToRoom(roomId: number, text: string, shows?: (out: ServerResponse) => boolean): void {
    const room = this.o.rooms.byId(roomId);
    if (!room) return;
    const wire: Wire = { text, chunk: Buffer.from(`${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`) };
    for (const s of this.open) {
      if (s.roomId === roomId || (s.roomId === null && this.o.rooms.canRead(s.reader, room) && (shows?.(s.out) ?? true))) writeShared(s.out, wire);
    }
  }

  /** Like sendToRoom, to every stream carrying the room, but none of one person's (typing: not to the typist). */
  sendToRoomExcept(roomId: number, text: string, userId: string): void {
    const room = this.o.rooms.byId(roomId);
    if (!room) return;
    const wire: Wire = { text, chunk: Buffer.from(`${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`) };
    for (const s of this.open) {
      if (s.reader?.id === userId) continue;
      if (s.roomId === roomId || (s.roomId === null && this.o.rooms.canRead(s.reader, room))) writeShared(s.out, wire);
    }
  }

  /** Ends every stream with a retry hint, so browsers reconnect, through the balancer, elsewhere. */
  closeAll(retryMs = 500): void {
    this.closing = true;
    for (const s of this.open) s.out.end(`retry: ${retryMs}\n\n`);
    this.stopPings();
  }

  private add(s: Open): void {
    this.open.add(s);
    this.caps.opened(s.reader, s.address);
    this.pingTimer ??= setInterval(() => {
      for (const o of this.open) writeShared(o.out, PING);
    }, this.o.pingMs ?? 15_000);
  }

  private remove(s: Open): void {
    if (!this.open.delete(s)) return;
    this.caps.closed(s.reader, s.address);
    if (this.open.size === 0) this.stopPings();
  }

  private stopPings(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
  }
}
