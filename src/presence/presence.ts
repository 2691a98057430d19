import type { ServerResponse } from 'node:http';
import type { Sql } from '../db/connect.ts';
import type { Logger } from '../ops/log.ts';
import type { RoomRegistry } from '../rooms/registry.ts';
import type { Streams } from '../sync/streams.ts';

export interface PresenceOptions {
  sql: Sql;
  streams: Pick<Streams, 'sendToRoom'>;
  rooms: RoomRegistry;
  log: Logger;
  replica: string;
  intervalMs: number;
}

// A lease of 2.5 heartbeats: one late beat (a slow database, a pause) does not make people vanish.
const LEASE_BEATS = 2.5;
// A room opened or closed here is written this soon (coalesced), not a whole interval later.
const SOON_MS = 100;

interface Row { room_id: number; people: string[] }

/**
 * Who has which room open now, kept in PostgreSQL (sql/060_presence.sql, Documentation/presence.md).
 * Each heartbeat is one statement: it renews this replica's lease, writes the (person, room) pairs
 * that opened or closed here since the last one, and reads everyone's presence back; rooms whose
 * people changed get `event: presence` on the streams that show them. Every replica reads the same
 * table, so all agree within one interval. Nothing runs until start().
 */
export class Presence {
  private pairs = new Map<string, number>();
  private known = new Map<number, string[]>();
  // The room each stream shows: an every-room stream hears the presence of that one room only.
  private showing = new WeakMap<ServerResponse, number>();
  private timer: NodeJS.Timeout | null = null;
  private soon: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;
  /** Heartbeats that reached the database. */
  beats = 0;

  constructor(private o: PresenceOptions) {}

  /** One stream of this person shows this room until the returned function is called. */
  enter(userId: string, roomId: number, out?: ServerResponse): () => void {
    const key = `${userId}:${roomId}`;
    if (out) this.showing.set(out, roomId);
    const n = this.pairs.get(key) ?? 0;
    this.pairs.set(key, n + 1);
    if (n === 0) this.beatSoon();
    let left = false;
    return () => {
      if (left) return;
      left = true;
      const rest = (this.pairs.get(key) ?? 1) - 1;
      if (rest > 0) return void this.pairs.set(key, rest);
      this.pairs.delete(key);
      this.beatSoon();
    };
  }

  /** Who has the room open, as this replica last read it. */
  peopleIn(roomId: number): string[] {
    return this.known.get(roomId) ?? [];
  }

  /** A new stream learns the room's people at once, itself included, rather than at the next change. */
  greet(out: ServerResponse, roomId: number, name: string | null): void {
    const people = this.peopleIn(roomId);
    const all = name === null || people.includes(name) ? people : [...people, name].sort();
    const text = this.frame(roomId, all);
    if (text && !out.writableEnded && !out.destroyed) out.write(text);
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.beat();
    this.timer = setInterval(() => void this.beat(), this.o.intervalMs);
  }

  /** Stops the heartbeat and gives up the lease: this replica's people leave now, not when it runs out. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.soon) clearTimeout(this.soon);
    this.timer = this.soon = null;
    await this.running;
    await this.o.sql`DELETE FROM presence_replicas WHERE replica = ${this.o.replica}`.catch(() => {});
  }

  private beatSoon(): void {
    if (this.stopped || this.soon) return;
    this.soon = setTimeout(() => {
      this.soon = null;
      void this.beat();
    }, SOON_MS);
  }

  // One beat at a time; calls during one make one more after it.
  private beat(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.beatOnce();
        } while (this.again && !this.stopped);
      } catch (err) {
        this.o.log.warn('presence heartbeat failed', { error: (err as Error).message });
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  private async beatOnce(): Promise<void> {
    const users: string[] = [];
    const rooms: number[] = [];
    for (const key of this.pairs.keys()) {
      const [user, room] = key.split(':');
      users.push(user!);
      rooms.push(Number(room));
    }
    const lease = Math.round(this.o.intervalMs * LEASE_BEATS);
    const rows = await this.o.sql<Row[]>`
      SELECT room_id, people FROM presence_beat(${this.o.replica}, ${lease}, ${users}::bigint[], ${rooms}::int[])`;
    if (this.stopped) return;
    this.beats++;
    const now = new Map(rows.map((r) => [r.room_id, r.people]));
    for (const [roomId, people] of now) {
      if (people.join('\n') !== this.known.get(roomId)?.join('\n')) this.push(roomId, people);
    }
    for (const roomId of this.known.keys()) if (!now.has(roomId)) this.push(roomId, []);
    this.known = now;
  }

  private push(roomId: number, people: string[]): void {
    const text = this.frame(roomId, people);
    if (text) this.o.streams.sendToRoom(roomId, text, (out) => this.showing.get(out) === roomId);
  }

  private frame(roomId: number, people: string[]): string | null {
    const room = this.o.rooms.byId(roomId);
    return room ? `event: presence\ndata: ${JSON.stringify({ room: room.slug, people })}\n\n` : null;
  }
}
