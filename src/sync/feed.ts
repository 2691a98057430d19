import { compare, encodeCursor, START, type Position } from '../messages/cursor.ts';
import type { Message } from '../messages/message.ts';
import { eventData, type LogEvent } from './log.ts';

/** An event as this replica sends it: the SSE frame is rendered once, for every stream. */
export interface FeedItem extends LogEvent { frame: string; bytes: number }

const CRLF = Buffer.from('\r\n');

/**
 * One poll's new events for one feed. Its text and its bytes are made once, on first use, and
 * shared by every stream of the feed on this replica.
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
 * The recent events of one room (or of all rooms), in stream order. It holds every event after
 * `floor`: older ones have been evicted and must be read from the database. It is bounded by count
 * and by bytes, so that large messages cannot grow a replica's memory past what was planned.
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

  /** The held events after `p`; only meaningful when p >= floor. */
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

  wake(items: FeedItem[]): number {
    if (this.listeners.size === 0 || items.length === 0) return 0;
    const batch = new Batch(items);
    for (const listener of this.listeners) listener(batch);
    return items.length * this.listeners.size;
  }
}

export interface HubOptions {
  capacity?: number;
  maxBytes?: number;
  render: (message: Message) => string;
}

/** Every room's feed on this replica, one feed of all rooms (for GET /events), and the stream position the poller has reached. */
export class Hub {
  head: Position = START;
  private feeds = new Map<string, RoomFeed>();
  readonly all: RoomFeed;
  private capacity: number;
  private maxBytes: number;
  private render: (m: Message) => string;
  delivered = 0;

  constructor(opts: HubOptions) {
    this.capacity = opts.capacity ?? 1000;
    this.maxBytes = opts.maxBytes ?? 4 * 1024 * 1024;
    this.render = opts.render;
    // Every room's events share this one: four rooms' worth.
    this.all = new RoomFeed(START, this.capacity * 4, this.maxBytes * 4);
  }

  /**
   * Fills a room's feed with its newest messages up to the head, at start-up, so that browsers
   * reconnecting after a restart resume from memory instead of each querying the database. The
   * messages carry their current state (edits, reactions, deletions), so a resume from here ends
   * in the same state as one from the database. `all` says these are all the room's messages.
   */
  seed(room: string, events: LogEvent[], all: boolean): void {
    const feed = new RoomFeed(all || events.length === 0 ? START : events[0]!.position, this.capacity, this.maxBytes);
    feed.push(events.map((e) => this.frame(e)));
    this.feeds.set(room, feed);
  }

  /** Seeding is over: /events resumes from memory only after this point. */
  startAll(): void {
    this.all.floor = this.head;
  }

  feed(room: string): RoomFeed {
    let f = this.feeds.get(room);
    if (!f) this.feeds.set(room, (f = new RoomFeed(this.head, this.capacity, this.maxBytes)));
    return f;
  }

  frame(e: LogEvent): FeedItem {
    const event = e.kind === 'member' ? 'room' : e.kind;
    const frame = `id: ${encodeCursor(e.position)}\nevent: ${event}\ndata: ${JSON.stringify(eventData(e, this.render))}\n\n`;
    return { ...e, frame, bytes: Buffer.byteLength(frame) };
  }

  /** Appends one poll's events (in stream order) and wakes each feed's streams once. */
  append(events: LogEvent[], head: Position): void {
    const byRoom = new Map<string, FeedItem[]>();
    const items: FeedItem[] = [];
    for (const e of events) {
      if (e.room === null || e.kind === 'user') continue;
      if (e.kind === 'delete') this.scrub(e.room, e.messageId!);
      const item = this.frame(e);
      items.push(item);
      const list = byRoom.get(e.room);
      if (list) list.push(item);
      else byRoom.set(e.room, [item]);
    }
    for (const [room, list] of byRoom) this.feed(room).push(list);
    this.all.push(items);
    this.head = head;
    for (const [room, list] of byRoom) this.delivered += this.feeds.get(room)!.wake(list);
    this.delivered += this.all.wake(items);
  }

  /** After a deletion, no frame this replica holds may still carry the text. */
  private scrub(room: string, messageId: string): void {
    for (const feed of [this.feeds.get(room), this.all]) {
      for (const item of feed?.items ?? []) {
        if (item.messageId !== messageId || !item.message || item.message.deleted) continue;
        const { reactions: _gone, ...rest } = item.message;
        Object.assign(item, this.frame({ ...item, message: { ...rest, body: '', deleted: true } }));
      }
    }
  }

  streamCount(): number {
    let n = this.all.listeners.size;
    for (const f of this.feeds.values()) n += f.listeners.size;
    return n;
  }
}
