import { encodeCursor, type Position } from './cursor.ts';

/** A row as the stream functions in sql/003_stream.sql return it. */
export interface MessageRow {
  tx: string;
  id: string;
  room: string;
  author: string;
  body: string;
  created_at: Date;
}

export interface Message {
  id: string;
  cursor: string;
  room: string;
  author: string;
  body: string;
  createdAt: string;
}

export interface StoredMessage { position: Position; message: Message }

export function fromRow(row: MessageRow): StoredMessage {
  const position = { tx: BigInt(row.tx), id: BigInt(row.id) };
  return {
    position,
    message: {
      id: row.id,
      cursor: encodeCursor(position),
      room: row.room,
      author: row.author,
      body: row.body,
      createdAt: row.created_at.toISOString(),
    },
  };
}
