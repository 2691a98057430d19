import type { Sql } from '../db/connect.ts';
import { END, type Position } from '../sync/cursor.ts';
import { fromRow, type MessageRow, type Reactions, type StoredMessage } from '../sync/message.ts';

/** The history functions return the message as posted; its reactions are read in one more query. */
async function withReactions(sql: Sql, rows: StoredMessage[]): Promise<StoredMessage[]> {
  const ids = rows.filter((r) => !r.message.deleted).map((r) => r.message.id);
  if (ids.length === 0) return rows;
  const found = await sql<{ id: string; reactions: Reactions }[]>`
    SELECT id::text, reactions_of(id) AS reactions FROM unnest(${ids}::bigint[]) AS id WHERE reactions_of(id) IS NOT NULL`;
  const byId = new Map(found.map((r) => [r.id, r.reactions]));
  for (const r of rows) {
    const reactions = byId.get(r.message.id);
    if (reactions) r.message.reactions = reactions;
  }
  return rows;
}

/** The page of a room's messages before `before` (or the newest), oldest first. */
export async function pageBefore(sql: Sql, room: string, before: Position | null, limit: number): Promise<StoredMessage[]> {
  const { tx, id } = before ?? END;
  const rows = await sql<MessageRow[]>`
    SELECT * FROM get_room_messages_before(${room}, ${tx.toString()}::xid8, ${id.toString()}, ${limit})`;
  return withReactions(sql, rows.reverse().map(fromRow));
}

/**
 * What the room page shows: like pageBefore, but with the messages the stream still holds back,
 * each marked whether it is released (sql/013_room_page.sql).
 */
export async function roomPage(sql: Sql, room: string, before: Position | null, limit: number) {
  const { tx, id } = before ?? END;
  const rows = await sql<(MessageRow & { released: boolean })[]>`
    SELECT * FROM get_room_page(${room}, ${tx.toString()}::xid8, ${id.toString()}, ${limit})`;
  return rows.reverse().map((r) => ({ ...fromRow(r), released: r.released }));
}

/** A room's messages after `after`, in stream order. */
export async function pageAfter(sql: Sql, room: string, after: Position, limit: number): Promise<StoredMessage[]> {
  const rows = await sql<MessageRow[]>`
    SELECT * FROM get_room_messages_after(${room}, ${after.tx.toString()}::xid8, ${after.id.toString()}, ${limit})`;
  return withReactions(sql, rows.map(fromRow));
}
