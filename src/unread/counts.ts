import type { Sql } from '../db/connect.ts';
import type { Position } from '../sync/cursor.ts';
import { roomView, type Reader, type RoomRegistry } from '../rooms/registry.ts';

export const LEVELS = ['everything', 'mentions', 'nothing'] as const;
export type Level = (typeof LEVELS)[number];

/** What the badges show; counts stop at CAP (shown as "99+"), so asking costs the same however much is unread. */
export interface Unread { unread: number; mentions: number; level: Level }
export const CAP = 100;

/**
 * Unread messages (by others, not deleted) and mentions of one person per room, in one query. Each
 * room reads at most CAP rows of an index: the newest messages after the read position, and the
 * newest mentions of the person there. A room never read counts what was said since the person
 * joined the instance, among its newest CAP messages.
 */
export async function unreadCounts(sql: Sql, userId: string, roomIds: number[]): Promise<Map<number, Unread>> {
  if (roomIds.length === 0) return new Map();
  const rows = await sql<{ room_id: number; unread: number; mentions: number; level: Level }[]>`
    SELECT r.id AS room_id, u.n AS unread, mn.n AS mentions, coalesce(s.level, 'everything') AS level
    FROM unnest(${roomIds}::int[]) AS r(id)
    CROSS JOIN (SELECT created_at FROM users WHERE id = ${userId}) me
    LEFT JOIN read_positions p ON p.user_id = ${userId} AND p.room_id = r.id
    LEFT JOIN room_settings s ON s.user_id = ${userId} AND s.room_id = r.id
    CROSS JOIN LATERAL (
      SELECT count(*) FILTER (WHERE x.author_id <> ${userId} AND x.deleted_at IS NULL
                              AND (p.user_id IS NOT NULL OR x.created_at > me.created_at))::int AS n
      FROM (SELECT m.author_id, m.deleted_at, m.created_at FROM messages m
            -- The room as a range of the (room_id, tx, id) index, not an equality: only that index gives
            -- this order, so a quiet room is never looked for by walking the whole stream backwards.
            WHERE m.room_id <= r.id AND (m.room_id, m.tx, m.id) > (r.id, coalesce(p.tx, '0'::xid8), coalesce(p.id, 0))
            ORDER BY m.room_id DESC, m.tx DESC, m.id DESC LIMIT ${CAP}) x) u
    CROSS JOIN LATERAL (
      SELECT count(*) FILTER (WHERE p.user_id IS NULL OR (x.tx, x.id) > (p.tx, p.id))::int AS n
      FROM (SELECT mt.message_id FROM mentions mt WHERE mt.user_id = ${userId} AND mt.room_id = r.id
            ORDER BY mt.message_id DESC LIMIT ${CAP}) t JOIN messages x ON x.id = t.message_id) mn`;
  return new Map(rows.map((r) => [r.room_id, { unread: r.unread, mentions: r.mentions, level: r.level }]));
}

const NONE: Unread = { unread: 0, mentions: 0, level: 'everything' };

/** The rooms a person sees, as roomView() shows them, with their unread counts, mentions and notification level. */
export async function roomsWithUnread(sql: Sql, rooms: RoomRegistry, reader: Reader | null) {
  const visible = rooms.visibleTo(reader);
  const counts = reader ? await unreadCounts(sql, reader.id, visible.map((r) => r.id)) : new Map<number, Unread>();
  return visible.map((r) => ({ ...roomView(r, reader), ...(counts.get(r.id) ?? NONE) }));
}

/**
 * Moves a person's read position in a room forward to `to` (never back); a move reaches their
 * other tabs as a `read` event. Returns the position before, or null when they had never read it.
 */
export async function markRead(sql: Sql, userId: string, roomId: number, to: Position): Promise<{ before: Position | null; moved: boolean }> {
  const [r] = await sql<{ prev_tx: string | null; prev_id: string | null; moved: boolean }[]>`
    SELECT * FROM mark_read(${userId}, ${roomId}, ${to.tx.toString()}::xid8, ${to.id.toString()})`;
  const before = r!.prev_tx === null ? null : { tx: BigInt(r!.prev_tx), id: BigInt(r!.prev_id!) };
  return { before, moved: r!.moved };
}

export async function notificationLevel(sql: Sql, userId: string, roomId: number): Promise<Level> {
  const [r] = await sql<{ level: Level }[]>`SELECT level FROM room_settings WHERE user_id = ${userId} AND room_id = ${roomId}`;
  return r?.level ?? 'everything';
}

export async function setNotificationLevel(sql: Sql, userId: string, roomId: number, level: Level): Promise<void> {
  await sql`
    INSERT INTO room_settings (user_id, room_id, level) VALUES (${userId}, ${roomId}, ${level})
    ON CONFLICT (user_id, room_id) DO UPDATE SET level = EXCLUDED.level`;
}

/** Names to complete after @ in a room: the people who may write in it, so not everyone when it is public (at most 500, by name). */
export async function peopleOf(sql: Sql, roomId: number): Promise<string[]> {
  const rows = await sql<{ name: string }[]>`
    SELECT u.name FROM users u
    WHERE u.deactivated_at IS NULL AND can_write(u.id, ${roomId})
    ORDER BY lower(u.name) LIMIT 500`;
  return rows.map((r) => r.name);
}
