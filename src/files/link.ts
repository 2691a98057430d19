import type { Sql } from '../db/connect.ts';
import { isSafeImage } from './types.ts';

/** An attachment as a Message carries it (the optional field `attachments`). */
export interface Attachment {
  id: string;
  name: string;
  size: number;
  type: string;
  url: string;
  thumbnail?: string;
}

interface Row { id: string; message_id: string; slug: string; name: string; size: string; type: string; has_thumbnail: boolean }

export function attachmentView(r: { id: string; slug: string; name: string; size: string | number; type: string; has_thumbnail: boolean }): Attachment {
  const base = `/rooms/${r.slug}/attachments/${r.id}`;
  return {
    id: String(r.id),
    name: r.name,
    size: Number(r.size),
    type: r.type,
    url: `${base}/${encodeURIComponent(r.name)}`,
    ...(r.has_thumbnail && isSafeImage(r.type) ? { thumbnail: `${base}/thumbnail` } : {}),
  };
}

export type LinkOutcome = { ok: true; attachments: Attachment[] } | { ok: false; missing: string[] };

/**
 * Links the uploader's complete, not yet posted uploads of the message's room to the message.
 * All or nothing: an id that is unknown, someone else's, of another room or already posted
 * links none (the caller runs it in the post's transaction and rolls back).
 */
export async function linkAttachments(sql: Sql, messageId: string, userId: string, ids: string[]): Promise<LinkOutcome> {
  if (ids.length === 0) return { ok: true, attachments: [] };
  const wanted = [...new Set(ids)];
  const rows = await sql<Row[]>`
    UPDATE attachments a SET message_id = m.id
    FROM messages m JOIN rooms r ON r.id = m.room_id
    WHERE m.id = ${messageId} AND m.author_id = ${userId}
      AND a.id = ANY(${wanted}::bigint[]) AND a.room_id = m.room_id AND a.uploader_id = ${userId}
      AND a.message_id IS NULL AND a.sha256 IS NOT NULL
    RETURNING a.id, a.message_id, r.slug, a.name, a.size, a.type, a.thumbnail IS NOT NULL AS has_thumbnail`;
  const found = new Set(rows.map((r) => String(r.id)));
  const missing = wanted.filter((id) => !found.has(id));
  if (missing.length > 0) return { ok: false, missing };
  const order = new Map(wanted.map((id, i) => [id, i]));
  rows.sort((a, b) => order.get(String(a.id))! - order.get(String(b.id))!);
  return { ok: true, attachments: rows.map((r) => attachmentView(r)) };
}

/** The attachments of many messages in one query: message id to its files, in upload order. */
export async function attachmentsFor(sql: Sql, messageIds: readonly string[]): Promise<Map<string, Attachment[]>> {
  const map = new Map<string, Attachment[]>();
  if (messageIds.length === 0) return map;
  const rows = await sql<Row[]>`
    SELECT a.id, a.message_id, r.slug, a.name, a.size, a.type, a.thumbnail IS NOT NULL AS has_thumbnail
    FROM attachments a JOIN rooms r ON r.id = a.room_id
    WHERE a.message_id = ANY(${messageIds as string[]}::bigint[])
    ORDER BY a.message_id, a.id`;
  for (const r of rows) {
    const list = map.get(String(r.message_id)) ?? [];
    list.push(attachmentView(r));
    map.set(String(r.message_id), list);
  }
  return map;
}

/** Sets `attachments` on the messages that have any, with one query for them all. */
export async function withAttachments<T extends { id: string }>(sql: Sql, messages: T[]): Promise<T[]> {
  const map = await attachmentsFor(sql, messages.map((m) => m.id));
  for (const m of messages) {
    const files = map.get(m.id);
    if (files) (m as T & { attachments?: Attachment[] }).attachments = files;
  }
  return messages;
}

/** The `attachments` field of a post: a list of ids (strings or numbers), at most 10. */
export function attachmentIds(raw: unknown): string[] | null {
  if (raw === undefined || raw === null || raw === '') return [];
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : null;
  if (!list || list.length > 10) return null;
  const ids = list.map((v) => String(v).trim());
  return ids.every((id) => /^\d{1,18}$/.test(id)) ? ids : null;
}

/** For the poller and the log: sets `attachments` on the messages some events carry, in one query. */
export async function attachToEvents(sql: Sql, events: readonly { message?: { id: string } | null }[]): Promise<void> {
  await withAttachments(sql, events.flatMap((e) => (e.message ? [e.message] : [])));
}
