import { compare, START, type Position } from '../messages/cursor.ts';
import type { Message, StoredMessage } from '../messages/message.ts';

/** A message as this replica sends it: the SSE frame is rendered once, for every stream. */
export interface FeedItem extends StoredMessage { frame: string; bytes: number }

const CRLF = Buffer.from('\r\n');

/**
 * One poll's new messages for one room. Its text and its bytes are made once, on first use, and
 * shared by every stream of the room on this replica.
 */
export class Batch {
  private textCache: string | null = null;
  private chunkCache: Buffer | null = null;

  constructor(readonly items: FeedItem[]) {}

  get text(): string {
    return (this.textCache ??= this.items.map((i) => i.frame).join(''));
  }

  /** The text framed as one HTTP/1.1 chunk ("<hex size>\r\n<text>\r\n"), for chunked responses. */
  get chunk(): Buffer {
    if (!this.chunkCache) {
      const body = Buffer.from(this.text);
      this.chunkCache = Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, CRLF]);
    }
    return this.chunkCache;
  }
}

export type Listener = (batch: Batch) => void;

/**
 * The recent messages of one room, in stream order. It holds every message after `floor`:
 * older ones have been evicted and must be read from the database. It is bounded by count and by
 * bytes, so that large messages cannot grow a replica's memory past what was planned.
 */
export class RoomFeed {
  items: FeedItem[] = [];
  bytes = 0;
  readonly listeners = new Set<Listener>();
  constructor(public floor: Position, private capacity: number, private maxBytes: number) {}

  push(batch: FeedItem[]): void {
    for (const item of batch) {
      this.items.push(item);
      this.bytes += item.bytes;
    }
    let excess = Math.max(0, this.items.length - this.capacity);
    let bytes = this.bytes;
    for (let i = 0; i < excess; i++) bytes -= this.items[i]!.bytes;
    while (bytes > this.maxBytes && excess < this.items.length) bytes -= this.items[excess++]!.bytes;
    if (excess > 0) {
      this.floor = this.items.splice(0, excess).at(-1)!.position;
      this.bytes = bytes;
    }
  }

  /** The held messages after `p`; only meaningful when p >= floor. */
  after(p: Position): FeedItem[] {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compare(this.items[mid]!.position, p) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return this.items.slice(lo);
  }

  newest(n: number): FeedItem[] {
    return this.items.slice(-n);
  }
}

export interface HubOptions {
  capacity?: number;
  maxBytes?: number;
  render: (message: Message) => string;
}

/** Every room's feed on this replica, and the stream position the poller has reached. */
export class Hub {
  head: Position = START;
  private feeds = new Map<string, RoomFeed>();
  private capacity: number;
  private maxBytes: number;
  private render: (m: Message) => string;
  delivered = 0;

  constructor(opts: HubOptions) {
    this.capacity = opts.capacity ?? 1000;
    this.maxBytes = opts.maxBytes ?? 4 * 1024 * 1024;
    this.render = opts.render;
  }

  /**
   * Fills a room's feed with its newest messages up to the head, at start-up, so that browsers
   * reconnecting after a restart resume from memory instead of each querying the database.
   * `all` says these are all the room's messages.
   */
  seed(room: string, rows: StoredMessage[], all: boolean): void {
    const feed = new RoomFeed(all || rows.length === 0 ? START : rows[0]!.position, this.capacity, this.maxBytes);
    feed.push(rows.map((r) => this.frame(r)));
    this.feeds.set(room, feed);
  }

  feed(room: string): RoomFeed {
    let f = this.feeds.get(room);
    if (!f) this.feeds.set(room, (f = new RoomFeed(this.head, this.capacity, this.maxBytes)));
    return f;
  }

  frame(m: StoredMessage): FeedItem {
    const data = JSON.stringify({ ...m.message, html: this.render(m.message) });
    const frame = `id: ${m.message.cursor}\nevent: message\ndata: ${data}\n\n`;
    return { ...m, frame, bytes: Buffer.byteLength(frame) };
  }

  /** Appends one poll's rows (in stream order) and wakes each room's streams once. */
  append(rows: StoredMessage[], head: Position): void {
    const byRoom = new Map<string, FeedItem[]>();
    for (const row of rows) {
      const item = this.frame(row);
      const list = byRoom.get(row.message.room);
      if (list) list.push(item);
      else byRoom.set(row.message.room, [item]);
    }
    for (const [room, items] of byRoom) this.feed(room).push(items);
    this.head = head;
    for (const [room, items] of byRoom) {
      const feed = this.feeds.get(room)!;
      if (feed.listeners.size === 0) continue;
      const batch = new Batch(items);
      for (const listener of feed.listeners) listener(batch);
      this.delivered += items.length * feed.listeners.size;
    }
  }

  streamCount(): number {
    let n = 0;
    for (const f of this.feeds.values()) n += f.listeners.size;
    return n;
  }
}
