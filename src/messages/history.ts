import type { Sql } from '../db/connect.ts';
import type { Position } from './cursor.ts';
import { fromRow, type MessageRow, type StoredMessage } from './message.ts';

const MAX = '9223372036854775807';

/** The page of a room's messages before `before` (or the newest), oldest first. */
export async function pageBefore(sql: Sql, room: string, before: Position | null, limit: number): Promise<StoredMessage[]> {
  const tx = before ? before.tx.toString() : MAX;
  const id = before ? before.id.toString() : MAX;
  const rows = await sql<MessageRow[]>`SELECT * FROM get_room_messages_before(${room}, ${tx}::xid8, ${id}, ${limit})`;
  return rows.reverse().map(fromRow);
}

/** A room's messages after `after`, in stream order. */
export async function pageAfter(sql: Sql, room: string, after: Position, limit: number): Promise<StoredMessage[]> {
  const rows = await sql<MessageRow[]>`
    SELECT * FROM get_room_messages_after(${room}, ${after.tx.toString()}::xid8, ${after.id.toString()}, ${limit})`;
  return rows.map(fromRow);
}
