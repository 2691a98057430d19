import type { ServerResponse } from 'node:http';
import type { Sql } from '../db/connect.ts';
import { compare, type Position } from '../messages/cursor.ts';
import { pageAfter } from '../messages/history.ts';
import type { Logger } from '../ops/log.ts';
import type { Batch, FeedItem, Hub, Listener } from './feed.ts';

const CATCH_UP_PAGE = 500;
// A reader this far behind is cut off; it reconnects with Last-Event-ID and catches up from the database.
const MAX_BUFFERED = 1 << 20;
const PING_TEXT = ': ping\n\n';
const PING: Wire = { text: PING_TEXT, chunk: Buffer.from(`${PING_TEXT.length.toString(16)}\r\n${PING_TEXT}\r\n`) };

/** Text for a stream, and the same text as one HTTP/1.1 chunk. */
interface Wire { readonly text: string; readonly chunk: Buffer }

/**
 * Writes text shared by many streams. Once the response head is on the socket (serve() writes the
 * retry line right after it, and nothing waits in the response itself) and the response is
 * chunked, the ready-made chunk goes straight to the socket: no encoding, chunk framing or
 * cork-and-uncork tick per stream, one write call each. That per-stream work was the replicas'
 * largest cost under load (Documentation/performance.md). Never after end(): the bytes would
 * follow the closing chunk.
 */
function writeShared(out: ServerResponse, wire: Wire): void {
  if (out.writableEnded || out.destroyed) return;
  const socket = out.socket;
  if (socket && !socket.destroyed && out.chunkedEncoding && out.headersSent && out.writableLength === socket.writableLength) {
    socket.write(wire.chunk);
  } else {
    out.write(wire.text);
  }
}

export interface StreamsOptions {
  hub: Hub;
  sql: Sql;
  log: Logger;
  pingMs?: number;
  retryMs?: number;
}

/** The open event streams of this replica: one ping timer for all, and a way to end them all. */
export class Streams {
  private open = new Set<ServerResponse>();
  private pingTimer: NodeJS.Timeout | null = null;
  private closing = false;

  constructor(private o: StreamsOptions) {}

  get size(): number {
    return this.open.size;
  }

  /**
   * Streams a room from just after `after` (or from now): first from the database while `after` is
   * older than what the feed holds, then from the feed. Every message goes out once, in order.
   */
  async serve(out: ServerResponse, room: string, after: Position | null, headers: Record<string, string>): Promise<void> {
    const { hub, sql } = this.o;
    out.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
    });
    out.write(`retry: ${this.o.retryMs ?? 2000}\n\n`);
    if (this.closing) return void out.end();

    const feed = hub.feed(room);
    let last = after ?? hub.head;
    let live = false;
    const send = (items: FeedItem[], batch?: Batch) => {
      const fresh = compare(items[0]!.position, last) > 0 ? items : items.filter((i) => compare(i.position, last) > 0);
      if (fresh.length === 0 || out.writableEnded) return;
      if (fresh === items && batch) writeShared(out, batch);
      else out.write(fresh.map((i) => i.frame).join(''));
      last = fresh.at(-1)!.position;
      // Shared chunks go to the socket itself, so its buffer is where a slow reader shows.
      if (out.writableLength + (out.socket?.writableLength ?? 0) > MAX_BUFFERED) out.destroy();
    };
    const listener: Listener = (batch) => {
      if (live) send(batch.items, batch);
    };
    feed.listeners.add(listener);
    this.open.add(out);
    this.startPings();
    out.on('close', () => {
      feed.listeners.delete(listener);
      this.open.delete(out);
      if (this.open.size === 0) this.stopPings();
    });

    try {
      // Until the position reaches what the feed holds. Not "until a short page": the feed may
      // evict past the position while a query runs, and those messages must come from here too.
      let empty = 0;
      while (compare(last, feed.floor) < 0 && !out.writableEnded && !out.destroyed) {
        const rows = await pageAfter(sql, room, last, CATCH_UP_PAGE);
        if (rows.length > 0) send(rows.map((r) => hub.frame(r)));
        // Twice nothing below the floor: those rows were deleted by hand; there is nothing to send.
        empty = rows.length === 0 ? empty + 1 : 0;
        if (empty === 2) break;
      }
    } catch (err) {
      this.o.log.warn('stream catch-up failed', { room, error: (err as Error).message });
      out.destroy();
      return;
    }
    const held = feed.after(last);
    if (held.length > 0) send(held);
    live = true;
  }

  /** Ends every stream with a retry hint, so browsers reconnect, through the balancer, elsewhere. */
  closeAll(retryMs = 500): void {
    this.closing = true;
    for (const out of this.open) {
      out.end(`retry: ${retryMs}\n\n`);
    }
    this.stopPings();
  }

  private startPings(): void {
    this.pingTimer ??= setInterval(() => {
      for (const out of this.open) writeShared(out, PING);
    }, this.o.pingMs ?? 15_000);
  }

  private stopPings(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
  }
}
