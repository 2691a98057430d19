import type { Attachment } from '../files/link.ts';
import { encodeCursor, type Position } from './cursor.ts';

/** A message row as the stream and history functions return it (sql/040_log.sql). */
export interface MessageRow {
  tx: string;
  id: string;
  room: string;
  author: string;
  body: string | null;
  created_at: Date;
  edited_at?: Date | null;
  deleted?: boolean;
  reactions?: Reactions | null;
}

/** Emoji to the names of the people who reacted with it, oldest first. */
export type Reactions = Record<string, string[]>;

export interface Message {
  id: string;
  cursor: string;
  room: string;
  author: string;
  /** Empty once deleted: the text is gone. */
  body: string;
  createdAt: string;
  editedAt?: string;
  deleted?: true;
  reactions?: Reactions;
  attachments?: Attachment[];
  /** Set when the author is a bot (CONTRACT: a bot's messages carry a "bot" mark). */
  bot?: true;
}

export interface StoredMessage { position: Position; message: Message }

/** The Message as JSON clients see it; `cursorAt` is the position of the event carrying it. */
export function toMessage(row: MessageRow, cursorAt: Position = { tx: BigInt(row.tx), id: BigInt(row.id) }): Message {
  const m: Message = {
    id: row.id,
    cursor: encodeCursor(cursorAt),
    room: row.room,
    author: row.author,
    body: row.body ?? '',
    createdAt: row.created_at.toISOString(),
  };
  if (row.edited_at) m.editedAt = row.edited_at.toISOString();
  if (row.deleted) m.deleted = true;
  if (row.reactions && Object.keys(row.reactions).length > 0) m.reactions = row.reactions;
  return m;
}

export function fromRow(row: MessageRow): StoredMessage {
  const position = { tx: BigInt(row.tx), id: BigInt(row.id) };
  return { position, message: toMessage(row, position) };
}
