import type { Sql } from '../db/connect.ts';
import { withAttachments } from '../files/link.ts';
import type { Reader, Room } from '../rooms/registry.ts';
import { toMessage, type Message, type MessageRow, type Reactions } from '../sync/message.ts';

export type ChangeOutcome = 'ok' | 'unknown' | 'not_yours' | 'read_only' | 'archived';

const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** One emoji, as one grapheme: "👍", "👍🏽" or "🏳️‍🌈", but not "ab", ":)" or "👍👍". */
export function isEmoji(raw: unknown): raw is string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 32) return false;
  const graphemes = [...segmenter.segment(raw)];
  return graphemes.length === 1 && /\p{Extended_Pictographic}|\p{Regional_Indicator}/u.test(raw);
}

/** A message id from an address: digits only, else it names nothing. */
export function messageId(raw: string): string | null {
  return /^[1-9]\d{0,18}$/.test(raw) ? raw : null;
}

export async function editMessage(sql: Sql, user: Reader, room: Room, id: string, body: string): Promise<ChangeOutcome> {
  const [r] = await sql<{ outcome: ChangeOutcome }[]>`SELECT edit_message(${user.id}, ${room.id}, ${id}, ${body}) AS outcome`;
  return r!.outcome;
}

/** Authors delete their own messages, admins anyone's; the text is gone from the database at once. */
export async function deleteMessage(sql: Sql, user: Reader, room: Room, id: string): Promise<ChangeOutcome> {
  const [r] = await sql<{ outcome: ChangeOutcome }[]>`SELECT delete_message(${user.id}, ${user.role === 'admin'}, ${room.id}, ${id}) AS outcome`;
  return r!.outcome;
}

export async function toggleReaction(sql: Sql, user: Reader, room: Room, id: string, emoji: string): Promise<{ ok: true; reactions: Reactions } | { ok: false; outcome: ChangeOutcome }> {
  const [r] = await sql<{ outcome: ChangeOutcome; reactions: Reactions }[]>`SELECT * FROM toggle_reaction(${user.id}, ${room.id}, ${id}, ${emoji})`;
  return r!.outcome === 'ok' ? { ok: true, reactions: r!.reactions } : { ok: false, outcome: r!.outcome };
}

/** One message as it is now, if it is in the room. */
export async function findMessage(sql: Sql, room: Room, id: string): Promise<Message | null> {
  const [row] = await sql<MessageRow[]>`
    SELECT s.*, reactions_of(s.id) AS reactions FROM stream_messages s WHERE s.id = ${id} AND s.room_id = ${room.id}`;
  return row ? (await withAttachments(sql, [toMessage(row)]))[0]! : null;
}
