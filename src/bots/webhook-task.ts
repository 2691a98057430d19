import type { Sql } from '../db/connect.ts';
import type { Limit } from '../config.ts';
import type { Logger } from '../ops/log.ts';
import type { Metrics } from '../ops/metrics.ts';
import type { RoomRegistry } from '../rooms/registry.ts';
import type { GuardedClient } from './kit.ts';
import type { Sealer } from './sealing.ts';
import { encodeCursor } from '../sync/cursor.ts';
import { cleanBody, postMessage } from '../messages/post.ts';
import { roomView } from '../rooms/registry.ts';
import { replyText } from './reply.ts';
import { sign } from './signature.ts';

interface Target {
  status: string; bot_id: string; bot_name: string; webhook_url: string | null; sealed: string;
  message_id: string; tx: string; body: string; created_at: Date; deleted: boolean; room_id: number; room_slug: string; author: string; bot_active: boolean;
}
type JobInfo = { attempts: number; maxAttempts: number };

/** What a delivery needs: the database, the rooms, the guarded client and the bot's reply limit. */
export interface WebhookDeps {
  sql: Sql;
  rooms: RoomRegistry;
  sealer: Sealer;
  outbound: GuardedClient;
  replyLimit: Limit;
  /** Wakes the replicas' pollers after a reply is posted. */
  hint: () => void;
  log: Logger;
  metrics?: Metrics;
}

const DONE = new Set(['delivered', 'failed', 'refused', 'skipped']);
const TIMEOUT_MS = 10_000;

/** A failure worth another try later (a timeout, a refused or dropped connection, a 5xx): the queue retries with back-off. */
export class RetryLater extends Error {
  override name = 'RetryLater';
}

/**
 * Runs one delivery (a job of the queue, on whichever replica takes it): signs the message's JSON,
 * POSTs it through the guarded client, and posts a 2xx's text as the bot's reply, in the same
 * transaction that marks the delivery done, so a retry after a crash never replies twice. A
 * delivery already done is not sent again; a crash between the receiver's answer and that commit
 * sends it again with the same X-Chat-Delivery, which a receiver can use to drop the repeat.
 */
export function webhookTask(deps: WebhookDeps) {
  const { sql, log } = deps;
  const note = (id: string, fields: { status: string; http?: number | null; ms?: number | null; error?: string | null; attempts: number }) => sql`
    UPDATE webhook_deliveries SET status = ${fields.status}, http_status = ${fields.http ?? null}, latency_ms = ${fields.ms ?? null},
      error = ${fields.error ?? null}, attempts = ${fields.attempts}, updated_at = now() WHERE id = ${id}`;

  return async (payload: unknown, job: JobInfo): Promise<void> => {
    const id = (payload as { delivery?: unknown })?.delivery;
    if (typeof id !== 'string' || !/^[0-9a-f-]{36}$/.test(id)) return;
    const [t] = await sql<Target[]>`
      SELECT d.status, d.bot_id::text, u.name AS bot_name, u.deactivated_at IS NULL AS bot_active, b.webhook_url, b.webhook_secret_sealed AS sealed,
             m.id::text AS message_id, m.tx::text, coalesce(m.body, '') AS body, m.created_at, m.deleted_at IS NOT NULL AS deleted,
             m.room_id, r.slug AS room_slug, a.name AS author
      FROM webhook_deliveries d JOIN users u ON u.id = d.bot_id JOIN messages m ON m.id = d.message_id
      JOIN rooms r ON r.id = m.room_id JOIN users a ON a.id = m.author_id LEFT JOIN bots b ON b.user_id = d.bot_id
      WHERE d.id = ${id}`;
    if (!t || DONE.has(t.status)) return;
    const attempts = job.attempts;
    if (t.deleted || !t.bot_active || !t.webhook_url || !t.sealed) return void (await note(id, { status: 'skipped', attempts, error: 'message deleted or bot gone' }));

    const room = deps.rooms.byId(t.room_id);
    const bot = { id: t.bot_id, name: t.bot_name, role: 'member' as const, kind: 'bot' as const };
    const message = { id: t.message_id, cursor: encodeCursor({ tx: BigInt(t.tx), id: BigInt(t.message_id) }), room: t.room_slug, author: t.author, body: t.body, createdAt: t.created_at.toISOString() };
    const view = room ? roomView(room, bot) : { slug: t.room_slug, title: t.room_slug, kind: 'open' };
    const body = JSON.stringify({ message, room: { slug: view.slug, title: view.title, kind: view.kind }, author: { name: t.author } });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const secret = await deps.sealer.open(t.sealed);
    const started = performance.now();
    const last = attempts >= job.maxAttempts;
    let answer;
    try {
      answer = await deps.outbound.post(t.webhook_url, {
        headers: {
          'content-type': 'application/json',
          'user-agent': 'chat-webhooks/1',
          'x-chat-delivery': id,
          'x-chat-timestamp': timestamp,
          'x-chat-signature': sign(secret, timestamp, body),
        },
        body,
      });
    } catch (err) {
      const e = err as Error;
      const ms = Math.round(performance.now() - started);
      // The guard's refusals (not https, not public, a redirect) do not get better with time; timeouts and dropped connections may.
      const refused = e.name === 'OutboundRefused' && !/^no answer/.test(e.message);
      await note(id, { status: refused ? 'refused' : last ? 'failed' : 'retrying', ms, error: e.message.slice(0, 300), attempts });
      deps.metrics?.inc('chat_webhook_deliveries_total', 'Outgoing webhook attempts by outcome', { outcome: refused ? 'refused' : 'error' });
      if (refused || last) return;
      throw new RetryLater(`${e.message} (after ${ms} ms)`);
    }
    const ms = Math.round(performance.now() - started);
    const outcome = answer.status >= 200 && answer.status < 300 ? 'delivered' : answer.status >= 500 ? (last ? 'failed' : 'retrying') : 'failed';
    deps.metrics?.inc('chat_webhook_deliveries_total', 'Outgoing webhook attempts by outcome', { outcome: String(answer.status).charAt(0) + 'xx' });
    if (outcome !== 'delivered') {
      await note(id, { status: outcome, http: answer.status, ms, attempts, error: `answered ${answer.status}` });
      if (outcome === 'retrying') throw new RetryLater(`answered ${answer.status}`);
      return;
    }
    const reply = cleanBody(replyText(answer.headers['content-type'], answer.body));
    if (!reply.ok) {
      // Nothing to post: one statement marks it done (the usual case; it keeps a worker's job short).
      await sql`
        UPDATE webhook_deliveries SET status = 'delivered', http_status = ${answer.status}, latency_ms = ${ms}, error = NULL,
          attempts = ${attempts}, updated_at = now() WHERE id = ${id} AND status NOT IN ('delivered', 'failed', 'refused', 'skipped')`;
      return;
    }
    let replied = false;
    await sql.begin(async (tx) => {
      const [row] = await tx<{ status: string }[]>`SELECT status FROM webhook_deliveries WHERE id = ${id} FOR UPDATE`;
      if (!row || DONE.has(row.status)) return;
      let error: string | null = null;
      let replyId: string | null = null;
      const posted = await postMessage(tx as unknown as Sql, t.room_slug, bot, reply.body, deps.replyLimit);
      if (posted.ok) replyId = posted.message.id;
      else error = `reply not posted: ${posted.reason}`;
      await tx`
        UPDATE webhook_deliveries SET status = 'delivered', http_status = ${answer.status}, latency_ms = ${ms}, error = ${error},
          attempts = ${attempts}, reply_id = ${replyId}, updated_at = now() WHERE id = ${id}`;
      replied = replyId !== null;
    });
    if (replied) deps.hint();
    log.debug('webhook delivered', { delivery: id, bot: t.bot_name, status: answer.status, ms });
  };
}

export { TIMEOUT_MS as WEBHOOK_TIMEOUT_MS };
