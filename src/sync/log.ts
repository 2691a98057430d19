import type { Sql } from '../db/connect.ts';
import { encodeCursor, type Position } from './cursor.ts';
import { toMessage, type Message, type MessageRow } from './message.ts';
import type { Reader, RoomRegistry } from '../rooms/registry.ts';
import { attachToEvents } from '../files/link.ts';

export type EventKind = 'message' | 'edit' | 'delete' | 'reaction' | 'room' | 'member' | 'user' | 'read' | 'session';

/** One row of the log as get_messages_after() and get_rooms_log_after() return it (sql/040_log.sql). */
export interface LogRow extends MessageRow {
  kind: EventKind;
  room_id: number | null;
  user_id: string | null;
  message_id: string | null;
}

/** One entry of the log, in stream order: a message, a change to one, or a room, membership, account or read change. */
export interface LogEvent {
  kind: EventKind;
  position: Position;
  room: string | null;
  roomId: number | null;
  /** Who made the change, or whom it concerns (the person added or removed, the reader). */
  userId: string | null;
  messageId: string | null;
  /** The message as it is now, for messages and changes to them; its text is empty once deleted. */
  message: Message | null;
  /** The person added to or removed from a room. */
  person: string | null;
  /** A room change that deleted the room (sql/106_room_delete.sql): its data says `"change":"deleted"`. */
  roomDeleted?: boolean;
}

export function toEvent(row: LogRow): LogEvent {
  const position = { tx: BigInt(row.tx), id: BigInt(row.id) };
  const messageId = row.message_id === null ? null : String(row.message_id);
  const message = messageId !== null ? toMessage({ ...row, id: messageId }, position) : null;
  return {
    kind: row.kind, position, room: row.room, roomId: row.room_id,
    userId: row.user_id === null ? null : String(row.user_id), messageId, message,
    person: row.kind === 'member' ? row.author : null,
  };
}

/** What a stream sends for an event: its SSE name and data. A client that only listens for `message` keeps working. */
export function eventData(e: LogEvent, html: (m: Message) => string, isBot: (author: string) => boolean = () => false): unknown {
  const cursor = encodeCursor(e.position);
  const m = e.message;
  switch (e.kind) {
    case 'message':
    case 'edit':
      return { ...m!, ...(isBot(m!.author) ? { bot: true } : {}), html: html(m!) };
    case 'delete':
      return { id: e.messageId, room: e.room, cursor };
    case 'reaction':
      return { id: e.messageId, room: e.room, cursor, reactions: m?.reactions ?? {} };
    case 'read':
      // Read up to this event: every message before it in the stream has been seen.
      return { room: e.room, cursor };
    default:
      return { room: e.room, change: e.roomDeleted ? 'deleted' : e.kind, ...(e.person ? { person: e.person } : {}), cursor };
  }
}

/** Whether a reader's stream carries this event: what they may read, and their own read marks. */
export function visibleTo(e: LogEvent, reader: Reader | null, rooms: RoomRegistry): boolean {
  if (e.kind === 'user' || e.kind === 'session' || e.roomId === null) return false;
  if (e.kind === 'read') return reader !== null && e.userId === reader.id;
  if (e.kind === 'member' && reader !== null && e.userId === reader.id) return true;
  // A room's deletion reaches those who could read it, as the room was.
  const room = rooms.byId(e.roomId) ?? (e.kind === 'room' ? rooms.deleted(e.roomId) : undefined);
  return room !== undefined && rooms.canRead(reader, room);
}

/** The log of some rooms after a position, from the database, for streams resuming from before memory. */
export async function logAfter(sql: Sql, roomIds: number[], reader: Reader | null, after: Position, limit: number): Promise<LogEvent[]> {
  const rows = await sql<LogRow[]>`
    SELECT * FROM get_rooms_log_after(${roomIds}::int[], ${reader?.id ?? null}, ${after.tx.toString()}::xid8, ${after.id.toString()}, ${limit})`;
  const events = rows.map(toEvent);
  await attachToEvents(sql, events);
  return events;
}

/** A message read from history, as the log event that brought it. */
export function messageEvent(m: { position: Position; message: Message }, roomId: number): LogEvent {
  return { kind: 'message', position: m.position, room: m.message.room, roomId, userId: null, messageId: m.message.id, message: m.message, person: null };
}
