import type { ServerResponse } from 'node:http';
import type { Sql } from '../db/connect.ts';
import type { Logger } from '../ops/log.ts';
import type { Metrics } from '../ops/metrics.ts';
import type { Reader, RoomRegistry } from '../rooms/registry.ts';
import type { Streams } from '../sync/streams.ts';

export interface PresenceOptions {
  sql: Sql;
  streams: Pick<Streams, 'sendToRoom'>;
  rooms: RoomRegistry;
  log: Logger;
  metrics?: Metrics;
  replica: string;
  intervalMs: number;
}

// A lease of 2.5 heartbeats: one late beat (a slow database, a pause) does not make people vanish.
const LEASE_BEATS = 2.5;
// A room opened or closed here is written this soon (coalesced), not a whole interval later.
const SOON_MS = 100;

/**
 * Who has which room open now, kept in PostgreSQL (sql/060_presence.sql, Documentation/presence.md).
 * Each heartbeat is one statement: it renews this replica's lease, writes the (person, room) pairs
 * that opened or closed here since the last one, and reads everyone's presence back; rooms whose
 * people changed get `event: presence` on the streams that show them. All replicas read one table,
 * so all agree within one interval. Nothing runs until start().
 */
export class Presence {
  private pairs = new Map<string, number>();
  private known = new Map<number, string[]>();
  // The room (slug) each stream shows: an every-room stream hears the presence of that one room only.
  private showing = new WeakMap<ServerResponse, string>();
  private timer: NodeJS.Timeout | null = null;
  private soon: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;

  constructor(private o: PresenceOptions) {}

  /**
   * One stream of this person shows this room (a slug) until the returned function is called. Each
   * heartbeat checks that the room exists and that they may read it: this replica may learn of a
   * new room after the stream opens, and of a removal while an every-room stream stays open.
   */
  enter(userId: string, slug: string, out?: ServerResponse): () => void {
    const key = `${userId}:${slug}`;
    if (out) this.showing.set(out, slug);
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

  /** A new stream learns the room's people at once, its reader included, rather than at the next change. */
  greet(out: ServerResponse, slug: string, reader: Reader): void {
    const room = this.o.rooms.get(slug);
    if (!room || !this.o.rooms.canRead(reader, room) || out.writableEnded || out.destroyed) return;
    const people = this.known.get(room.id) ?? [];
    out.write(this.frame(room.id, people.includes(reader.name) ? people : [...people, reader.name].sort())!);
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.beat();
    this.timer = setInterval(() => void this.beat(), this.o.intervalMs);
  }

  /** Stops the heartbeat and gives up the lease: this replica's people leave now, not when it runs out. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer ?? undefined);
    clearTimeout(this.soon ?? undefined);
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
        this.o.metrics?.inc('chat_presence_beat_failures_total', 'Presence heartbeats the database refused or missed');
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
      const [user, slug] = key.split(':');
      const shown = this.o.rooms.get(slug!);
      if (!shown || !this.o.rooms.canRead({ id: user!, name: '' }, shown)) continue;
      users.push(user!);
      rooms.push(shown.id);
    }
    const lease = Math.round(this.o.intervalMs * LEASE_BEATS);
    const rows = await this.o.sql<{ room_id: number; people: string[] }[]>`
      SELECT room_id, people FROM presence_beat(${this.o.replica}, ${lease}, ${users}::bigint[], ${rooms}::int[])`;
    if (this.stopped) return;
    this.o.metrics?.inc('chat_presence_beats_total', 'Presence heartbeat statements (one transaction each)');
    this.o.metrics?.set('chat_presence_pairs', '(person, room) pairs open on this replica at its last heartbeat', users.length);
    const now = new Map(rows.map((r) => [r.room_id, r.people]));
    for (const [roomId, people] of now) {
      if (people.join('\n') !== this.known.get(roomId)?.join('\n')) this.push(roomId, people);
    }
    for (const roomId of this.known.keys()) if (!now.has(roomId)) this.push(roomId, []);
    this.known = now;
  }

  private push(roomId: number, people: string[]): void {
    const text = this.frame(roomId, people);
    const slug = this.o.rooms.byId(roomId)?.slug;
    if (text) this.o.streams.sendToRoom(roomId, text, (out) => this.showing.get(out) === slug);
  }

  private frame(roomId: number, people: string[]): string | null {
    const room = this.o.rooms.byId(roomId);
    return room ? `event: presence\ndata: ${JSON.stringify({ room: room.slug, people })}\n\n` : null;
  }
}
