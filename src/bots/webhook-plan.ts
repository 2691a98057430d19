import type { Sql } from '../db/connect.ts';

/** The rows of the log a planner looks at (the outbox dispatcher's LogRow, src/outbox/). */
interface Row { kind: string; messageId: string | null; deleted: boolean }
/** A job for the queue, keyed so that it is added once (the outbox dispatcher's Job). */
interface Job { task: string; key: string; payload: unknown; maxAttempts?: number }

export const WEBHOOK_TASK = 'bot-webhook';
/** The first try and 7 retries: graphile-worker waits exp(n) s after the n-th failure, about 30 min in all. */
export const WEBHOOK_ATTEMPTS = 8;

/**
 * Outgoing webhooks, planned from the log inside the dispatcher's transaction (DESIGN.md, "the
 * log is the outbox"): each new message that mentions a bot (the mentions rows posting wrote:
 * only bots that may read the room, never the author) or is posted in a direct room with a bot
 * other than its author, for bots that have a webhook URL and are not deleted. One delivery row
 * per message and bot, made here; its id is the X-Chat-Delivery header and the job's key.
 */
export async function planWebhooks(tx: Sql, rows: Row[]): Promise<Job[]> {
  const ids = rows.filter((r) => r.kind === 'message' && !r.deleted && r.messageId !== null).map((r) => r.messageId!);
  if (ids.length === 0) return [];
  const made = await tx<{ id: string }[]>`
    WITH msgs AS (
      SELECT m.id, m.room_id, m.author_id FROM messages m WHERE m.id = ANY(${ids}::bigint[]) AND m.deleted_at IS NULL
    ), targets AS (
      SELECT mn.message_id, mn.user_id AS bot_id FROM mentions mn JOIN msgs ON msgs.id = mn.message_id
      UNION
      SELECT msgs.id, rm.user_id FROM msgs
      JOIN rooms r ON r.id = msgs.room_id AND r.kind = 'direct'
      JOIN room_members rm ON rm.room_id = r.id AND rm.user_id <> msgs.author_id
    )
    INSERT INTO webhook_deliveries (bot_id, message_id)
    SELECT t.bot_id, t.message_id FROM targets t
    JOIN bots b ON b.user_id = t.bot_id AND b.webhook_url IS NOT NULL
    JOIN users u ON u.id = t.bot_id AND u.deactivated_at IS NULL
    ORDER BY t.message_id, t.bot_id
    ON CONFLICT (message_id, bot_id) DO NOTHING
    RETURNING id::text`;
  return made.map((d) => ({ task: WEBHOOK_TASK, key: `webhook:${d.id}`, payload: { delivery: d.id }, maxAttempts: WEBHOOK_ATTEMPTS }));
}
