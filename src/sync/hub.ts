import { setImmediate as nextTurn } from 'node:timers/promises';
import { encodeCursor, START, type Position } from './cursor.ts';
import type { Message } from './message.ts';
import { RoomFeed, type FeedItem } from './feed.ts';
import { eventData, type LogEvent } from './log.ts';

const RENDER_SLICE_MS = 10;

export interface HubOptions {
  capacity?: number;
  maxBytes?: number;
  render: (message: Message) => string;
  /** Whether an author is a bot: its messages carry `bot: true` (src/bots/roster.ts). */
  isBot?: (author: string) => boolean;
  /** Whether an admin deleted this room (its room change then says so, and the feeds forget it). */
  roomGone?: (roomId: number) => boolean;
}

/** Every room's feed on this replica, one feed of all rooms (for GET /events), and the stream position the poller has reached. */
export class Hub {
  head: Position = START;
  private feeds = new Map<string, RoomFeed>();
  readonly all: RoomFeed;
  private capacity: number;
  private maxBytes: number;
  private render: (m: Message) => string;
  private isBot: (author: string) => boolean;
  private roomGone: (roomId: number) => boolean;
  delivered = 0;

  constructor(opts: HubOptions) {
    this.capacity = opts.capacity ?? 1000;
    this.maxBytes = opts.maxBytes ?? 4 * 1024 * 1024;
    this.render = opts.render;
    this.isBot = opts.isBot ?? (() => false);
    this.roomGone = opts.roomGone ?? (() => false);
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
    if (e.kind === 'room' && e.roomId !== null && this.roomGone(e.roomId)) e = { ...e, roomDeleted: true };
    const event = e.kind === 'member' ? 'room' : e.kind;
    const frame = `id: ${encodeCursor(e.position)}\nevent: ${event}\ndata: ${JSON.stringify(eventData(e, this.render, this.isBot))}\n\n`;
    return { ...e, frame, bytes: Buffer.byteLength(frame) };
  }

  /**
   * Renders one poll's events for the feeds, yielding to the event loop every few milliseconds of
   * work: a batch of 500 worst-case Markdown messages costs over half a second, and /healthz and
   * other streams must not wait for it. Polls are sequential, so nothing appends meanwhile.
   */
  async frames(events: LogEvent[]): Promise<FeedItem[]> {
    const items: FeedItem[] = [];
    let since = performance.now();
    for (const e of events) {
      if (e.room === null || e.kind === 'user' || e.kind === 'session') continue;
      items.push(this.frame(e));
      if (performance.now() - since > RENDER_SLICE_MS) {
        await nextTurn();
        since = performance.now();
      }
    }
    return items;
  }

  /** Appends one poll's rendered events (in stream order) and wakes each feed's streams once. */
  append(items: FeedItem[], head: Position): void {
    const byRoom = new Map<string, FeedItem[]>();
    for (const item of items) {
      // Rendered from the database after the deletion committed, the batch's own items are
      // tombstones already; what the feeds held from earlier polls is re-rendered here.
      if (item.kind === 'delete') this.scrub(item.room!, item.messageId!);
      const list = byRoom.get(item.room!);
      if (list) list.push(item);
      else byRoom.set(item.room!, [item]);
    }
    for (const [room, list] of byRoom) this.feed(room).push(list);
    this.all.push(items);
    this.head = head;
    for (const [room, list] of byRoom) this.delivered += this.feeds.get(room)!.wake(list);
    this.delivered += this.all.wake(items);
    for (const item of items) if (item.roomDeleted) this.forget(item.room!);
  }

  /** After a room's deletion was delivered: no frame this replica holds still carries its messages. */
  private forget(room: string): void {
    for (const item of this.all.items) {
      if (item.room !== room || !item.message || item.message.deleted) continue;
      const { reactions: _gone, attachments: _files, ...rest } = item.message as Message & { attachments?: unknown };
      Object.assign(item, this.frame({ ...item, message: { ...rest, body: '', deleted: true } }));
    }
    this.feeds.delete(room);
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
