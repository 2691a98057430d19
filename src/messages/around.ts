import type { Sql } from '../db/connect.ts';
import type { Position } from '../sync/cursor.ts';

/** A permalink's page: message `id` among its neighbours; the page ends before `edge` (null: the newest), the next one before `newer`. */
export interface Around { id: string; edge: Position | null; newer: Position | null }

/** How many newer messages a permalink's page shows after the one it names (the rest of the page is older ones). */
export const NEWER_SHOWN = 24;

const toPosition = (r: { tx: string; id: string }): Position => ({ tx: BigInt(r.tx), id: BigInt(r.id) });

/**
 * Where the page around message `id` of a room ends, however old the message: the position just
 * past the NEWER_SHOWN messages after it (null when they reach the newest), and where the page
 * after that one ends. Null when the room holds no such message.
 */
export async function locate(sql: Sql, roomId: number, id: string, pageSize: number): Promise<Around | null> {
  if (!/^\d{1,18}$/.test(id)) return null;
  const [target] = await sql<{ tx: string; id: string }[]>`
    SELECT tx::text, id::text FROM messages WHERE id = ${id} AND room_id = ${roomId}`;
  if (!target) return null;
  // The (room_id, tx, id) index walks forward from the message; at most pageSize + 1 rows.
  const after = await sql<{ tx: string; id: string }[]>`
    SELECT m.tx::text AS tx, m.id::text AS id FROM messages m
    WHERE m.room_id = ${roomId} AND (m.tx, m.id) > (${target.tx}::xid8, ${target.id}::bigint)
    ORDER BY m.tx, m.id OFFSET ${NEWER_SHOWN} LIMIT ${pageSize + 1}`;
  return {
    id: target.id,
    edge: after[0] ? toPosition(after[0]) : null,
    newer: after[pageSize] ? toPosition(after[pageSize]) : null,
  };
}
