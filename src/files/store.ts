import type { Sql } from '../db/connect.ts';

/** Content is stored in rows of this size (Documentation/files.md says why). */
export const CHUNK_BYTES = 256 * 1024;

export interface AttachmentRow {
  id: string;
  room_id: number;
  uploader_id: string;
  message_id: string | null;
  name: string;
  size: string;
  type: string;
  sha256: Buffer | null;
  has_thumbnail: boolean;
}

const COLUMNS = 'id, room_id, uploader_id, message_id, name, size, type, sha256, thumbnail IS NOT NULL AS has_thumbnail';

export async function createAttachment(sql: Sql, roomId: number, uploaderId: string, name: string): Promise<string> {
  const [row] = await sql<{ id: string }[]>`
    INSERT INTO attachments (room_id, uploader_id, name) VALUES (${roomId}, ${uploaderId}, ${name}) RETURNING id`;
  return row!.id;
}

export async function writeChunk(sql: Sql, id: string, seq: number, data: Uint8Array): Promise<void> {
  await sql`INSERT INTO attachment_chunks (attachment_id, seq, data) VALUES (${id}, ${seq}, ${Buffer.from(data.buffer, data.byteOffset, data.byteLength)})`;
}

export async function finishAttachment(
  sql: Sql, id: string, done: { size: number; type: string; sha256: Buffer; thumbnail: Buffer | null },
): Promise<void> {
  await sql`
    UPDATE attachments SET size = ${done.size}, type = ${done.type}, sha256 = ${done.sha256}, thumbnail = ${done.thumbnail}
    WHERE id = ${id}`;
}

export async function dropAttachment(sql: Sql, id: string): Promise<void> {
  await sql`DELETE FROM attachments WHERE id = ${id}`;
}

/**
 * A complete file of this room that the reader may fetch: a linked one, or the reader's own
 * upload not yet posted. Anything else is answered as missing.
 */
export async function findAttachment(sql: Sql, roomId: number, id: string, readerId: string | null): Promise<AttachmentRow | null> {
  if (!/^\d{1,18}$/.test(id)) return null;
  const [row] = await sql<AttachmentRow[]>`
    SELECT ${sql.unsafe(COLUMNS)} FROM attachments
    WHERE id = ${id} AND room_id = ${roomId} AND sha256 IS NOT NULL
      AND (message_id IS NOT NULL OR uploader_id = ${readerId})`;
  return row ?? null;
}

export async function readChunk(sql: Sql, id: string, seq: number): Promise<Buffer | null> {
  const [row] = await sql<{ data: Buffer }[]>`
    SELECT data FROM attachment_chunks WHERE attachment_id = ${id} AND seq = ${seq}`;
  return row?.data ?? null;
}

export async function readThumbnail(sql: Sql, id: string): Promise<Buffer | null> {
  const [row] = await sql<{ thumbnail: Buffer | null }[]>`SELECT thumbnail FROM attachments WHERE id = ${id}`;
  return row?.thumbnail ?? null;
}

/** Uploads never posted are removed after a day; a few at a time, so no call is slow. */
export async function sweepUnlinked(sql: Sql): Promise<void> {
  await sql`
    DELETE FROM attachments WHERE id IN (
      SELECT id FROM attachments WHERE message_id IS NULL AND created_at < now() - interval '1 day' LIMIT 20)`;
}
