import type { Sql } from '../db/connect.ts';
import type { Limit } from '../config.ts';
import { encodeCursor } from '../sync/cursor.ts';
import type { Message } from '../sync/message.ts';

export const MAX_BODY_CHARS = 4000;

// C0 controls other than tab and line breaks (and DEL) carry no text; JSON escapes each into six
// bytes, so a body of them made frames many times its size.
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;

export type BodyCheck = { ok: true; body: string } | { ok: false; message: string };

/** Trims, keeps line breaks (as \n) and tabs, and enforces 1 to 4,000 characters of text. */
export function cleanBody(raw: string): BodyCheck {
  const body = raw.replace(/\r\n?/g, '\n').trim();
  if (body.length === 0) return { ok: false, message: 'The message is empty.' };
  if (CONTROL.test(body)) return { ok: false, message: 'The message contains control characters.' };
  const chars = [...body].length;
  if (chars > MAX_BODY_CHARS) return { ok: false, message: `The message is ${chars} characters long; the most is ${MAX_BODY_CHARS}.` };
  return { ok: true, body };
}

export type PostOutcome =
  | { ok: true; message: Message }
  | { ok: false; reason: 'unknown_room' | 'archived' | 'read_only' }
  | { ok: false; reason: 'rate_limited'; retryAfterMs: number };

export interface PostRow { outcome: string; retry_after_ms: number; msg_tx: string; msg_id: string; msg_created_at: Date }

/** One round trip: the access check, the archive check, the shared rate limit and the insert. */
export async function postMessage(sql: Sql, room: string, author: { id: string; name: string }, body: string, limit: Limit): Promise<PostOutcome> {
  const [r] = await sql<PostRow[]>`
    SELECT * FROM post_message(${room}, ${author.id}, ${body}, ${limit?.max ?? null}, ${limit?.windowMs ?? null})`;
  return postOutcome(r, room, author.name, body);
}

/** A post's outcome from its statement's row (post_message() and the functions built on it). */
export function postOutcome(r: PostRow | undefined, room: string, author: string, body: string): PostOutcome {
  if (!r || r.outcome === 'unknown_room') return { ok: false, reason: 'unknown_room' };
  if (r.outcome === 'archived' || r.outcome === 'read_only') return { ok: false, reason: r.outcome };
  if (r.outcome === 'rate_limited') return { ok: false, reason: 'rate_limited', retryAfterMs: r.retry_after_ms };
  const message = {
    id: r.msg_id,
    cursor: encodeCursor({ tx: BigInt(r.msg_tx), id: BigInt(r.msg_id) }),
    room,
    author,
    body,
    createdAt: r.msg_created_at.toISOString(),
  };
  return { ok: true, message };
}

export type SessionPostOutcome = PostOutcome | { ok: false; reason: 'no_session' };

/**
 * The same post with the session check in the same statement (post_message_by_session(),
 * sql/012_post_by_session.sql): one round trip instead of two when the caller's session was not
 * looked up yet. `no_session` when the token is not a live session.
 */
export async function postBySession(sql: Sql, tokenHash: Buffer, idleDays: number, room: string, body: string, limit: Limit): Promise<SessionPostOutcome> {
  const [r] = await sql<(PostRow & { author: string | null })[]>`
    SELECT * FROM post_message_by_session(${tokenHash}, ${idleDays}, ${room}, ${body}, ${limit?.max ?? null}, ${limit?.windowMs ?? null})`;
  if (r?.outcome === 'no_session') return { ok: false, reason: 'no_session' };
  return postOutcome(r, room, r?.author ?? '', body);
}
