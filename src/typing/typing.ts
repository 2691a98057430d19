import type { Sql } from '../db/connect.ts';
import type { Logger } from '../ops/log.ts';
import type { RoomRegistry } from '../rooms/registry.ts';
import type { Streams } from '../sync/streams.ts';

export const TYPING_CHANNEL = 'chat_typing';
// One announcement per person and room this often at most, per replica; the page sends one every 3 s while typing.
const THROTTLE_MS = 2000;

export interface Typing {
  /** Someone is typing in a room: every replica's streams of it hear so, within a second. */
  announce(roomId: number, user: { id: string; name: string }): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Typing indicators are never stored: a pg_notify payload on a channel of its own, which every
 * replica LISTENs to and turns into `event: typing` on its streams of that room (all but the
 * typist's own). A lost notification only loses a hint. Off with SYNC_NOTIFY=off (no LISTEN).
 */
export function createTyping(o: { sql: Sql; streams: Pick<Streams, 'sendToRoomExcept'>; rooms: RoomRegistry; log: Logger; enabled: boolean }): Typing {
  const last = new Map<string, number>();
  let unlisten: (() => Promise<void>) | null = null;
  const deliver = (payload: string) => {
    try {
      const { room, user, name } = JSON.parse(payload) as { room: number; user: string; name: string };
      const slug = o.rooms.byId(room)?.slug;
      if (!slug) return;
      o.streams.sendToRoomExcept(room, `event: typing\ndata: ${JSON.stringify({ room: slug, name })}\n\n`, user);
    } catch (err) {
      o.log.debug('bad typing notification', { error: (err as Error).message });
    }
  };
  return {
    async announce(roomId, user) {
      if (!o.enabled) return;
      const key = `${user.id}:${roomId}`;
      const now = Date.now();
      if (now - (last.get(key) ?? 0) < THROTTLE_MS) return;
      last.set(key, now);
      if (last.size > 10_000) for (const [k, at] of last) if (now - at >= THROTTLE_MS) last.delete(k);
      await o.sql`SELECT pg_notify(${TYPING_CHANNEL}, ${JSON.stringify({ room: roomId, user: user.id, name: user.name })})`;
    },
    async start() {
      if (!o.enabled) return;
      const sub = await o.sql.listen(TYPING_CHANNEL, deliver);
      unlisten = () => sub.unlisten();
    },
    async stop() {
      await unlisten?.().catch(() => {});
      unlisten = null;
    },
  };
}
