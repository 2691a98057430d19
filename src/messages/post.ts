import type { Sql } from '../db/connect.ts';
import type { Limit } from '../config.ts';
import { HttpError } from '../http/errors.ts';
import { IDLE_DAYS } from '../sessions/store.ts';
import { encodeCursor } from './cursor.ts';
import type { Message } from './message.ts';

export const MAX_BODY_CHARS = 4000;

/** Trims, keeps line breaks (as \n) and enforces 1 to 4,000 characters. */
export function cleanBody(raw: string): string {
  const body = raw.replace(/\r\n?/g, '\n').trim();
  if (body.length === 0) throw new HttpError(400, 'The message is empty.');
  const chars = [...body].length;
  if (chars > MAX_BODY_CHARS) throw new HttpError(400, `The message is ${chars} characters long; the most is ${MAX_BODY_CHARS}.`);
  return body;
}

interface Outcome { outcome: string; retry_after_ms: number; msg_tx: string; msg_id: string; msg_created_at: Date; author: string }

/** One round trip: the session, the room, the shared rate limit and the insert (sql/012). */
export async function postMessage(sql: Sql, room: string, sessionHash: Buffer, body: string, limit: Limit): Promise<Message> {
  const [r] = await sql<Outcome[]>`
    SELECT * FROM post_message_by_session(${sessionHash}, ${IDLE_DAYS}, ${room}, ${body}, ${limit?.max ?? null}, ${limit?.windowMs ?? null})`;
  if (!r || r.outcome === 'no_session') throw new HttpError(401, 'Sign in to post.');
  if (r.outcome === 'unknown_room') throw new HttpError(404, `There is no room called "${room}".`);
  if (r.outcome === 'rate_limited') {
    const seconds = Math.ceil(r.retry_after_ms / 1000);
    throw new HttpError(429, `You are posting too fast. Try again in ${seconds} s.`, { 'Retry-After': String(seconds) });
  }
  return {
    id: r.msg_id,
    cursor: encodeCursor({ tx: BigInt(r.msg_tx), id: BigInt(r.msg_id) }),
    room,
    author: r.author,
    body,
    createdAt: r.msg_created_at.toISOString(),
  };
}
