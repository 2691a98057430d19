import { encodeCursor, START, type Position } from '../messages/cursor.ts';
import type { Message } from '../messages/message.ts';
import { RoomFeed, type FeedItem } from './feed.ts';
import { eventData, type LogEvent } from './log.ts';

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
