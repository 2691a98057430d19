import type { Sql } from '../db/connect.ts';
import { END, type Position } from './cursor.ts';
import { fromRow, type MessageRow, type StoredMessage } from './message.ts';

/** The page of a room's messages before `before` (or the newest), oldest first. */
export async function pageBefore(sql: Sql, room: string, before: Position | null, limit: number): Promise<StoredMessage[]> {
  const { tx, id } = before ?? END;
  const rows = await sql<MessageRow[]>`
    SELECT * FROM get_room_messages_before(${room}, ${tx.toString()}::xid8, ${id.toString()}, ${limit})`;
  return rows.reverse().map(fromRow);
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
  return rows.map(fromRow);
}
