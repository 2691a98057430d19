import type { Sql } from '../db/connect.ts';
import type { Reader, Room } from './registry.ts';

export type DeleteRefusal =
  | { ok: false; reason: 'not_allowed'; message: string }
  | { ok: false; reason: 'predefined'; message: string }
  | { ok: false; reason: 'unknown_room'; message: string };

/**
 * An admin deletes an open or closed room: delete_room() (sql/106_room_delete.sql) removes every
 * message, file, reaction and read mark of it in one transaction and leaves the room's row as a
 * tombstone whose change travels the log, so every replica drops the room and its streams hear it.
 */
export async function deleteRoom(sql: Sql, actor: Reader, room: Room): Promise<{ ok: true } | DeleteRefusal> {
  if (actor.role !== 'admin') return { ok: false, reason: 'not_allowed', message: 'Only admins delete rooms.' };
  const [row] = await sql<{ outcome: string }[]>`SELECT delete_room(${actor.id}, ${room.id}) AS outcome`;
  switch (row!.outcome) {
    case 'ok':
      return { ok: true };
    case 'predefined':
      return { ok: false, reason: 'predefined', message: `"${room.slug}" is the room everyone is in; it cannot be deleted. Archive it instead.` };
    case 'direct':
      return { ok: false, reason: 'not_allowed', message: 'Direct conversations belong to their people; admins do not delete them.' };
    default:
      return { ok: false, reason: 'unknown_room', message: `There is no room called "${room.slug}".` };
  }
}
