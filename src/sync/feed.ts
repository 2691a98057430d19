import { compare, type Position } from './cursor.ts';
import type { LogEvent } from './log.ts';

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
