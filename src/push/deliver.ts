import webpush from 'web-push';
import type { Sql } from '../db/connect.ts';
import type { Logger } from '../ops/log.ts';
import type { Metrics } from '../ops/metrics.ts';
import type { Outbound } from '../outbound/guard.ts';
import { OutboundRefused } from '../outbound/guard.ts';
import type { TaskHandler } from '../outbox/queue.ts';
import type { Vapid } from './keys.ts';

export interface DeliverOptions {
  sql: Sql;
  outbound: Outbound;
  vapid: () => Promise<Vapid>;
  log: Logger;
  metrics?: Metrics;
}

interface Row { endpoint: string; p256dh: string; auth_secret: string; user_id: string; body: string; author: string; slug: string; title: string; kind: string }

const PREVIEW = 200;
// A push service keeps an undelivered message this long for a phone that is off.
const TTL_S = 24 * 3600;

/** What the service worker shows (public/service-worker.js). */
export interface PushPayload { title: string; body: string; url: string; tag: string; badge: number }

/**
 * One push job: one message to one subscription, encrypted (aes128gcm, RFC 8291) and signed
 * (VAPID, RFC 8292) by web-push, sent through the outbound guard. Gone subscriptions (404, 410)
 * are deleted; a refused endpoint and other 4xx are given up; 429, 5xx and network failures throw,
 * so the queue retries with back-off. A message deleted meanwhile is not sent.
 */
export function pushTask(o: DeliverOptions): TaskHandler {
  return async (raw) => {
    const job = raw as { message: string; subscription: string };
    const [row] = await o.sql<Row[]>`
      SELECT s.endpoint, s.p256dh, s.auth_secret, s.user_id::text, m.body, u.name AS author, r.slug, r.title, r.kind
      FROM push_subscriptions s, messages m
      JOIN users u ON u.id = m.author_id
      JOIN rooms r ON r.id = m.room_id
      WHERE s.id = ${job.subscription} AND m.id = ${job.message} AND m.deleted_at IS NULL`;
    if (!row) return;
    const payload: PushPayload = {
      title: row.kind === 'direct' ? row.author : `${row.author} in ${row.title}`,
      body: row.body.length > PREVIEW ? `${row.body.slice(0, PREVIEW - 1)}…` : row.body,
      url: `/rooms/${row.slug}/messages/${job.message}`,
      tag: `room-${row.slug}`,
      badge: await badge(o.sql, row.user_id),
    };
    const vapid = await o.vapid();
    const request = webpush.generateRequestDetails(
      { endpoint: row.endpoint, keys: { p256dh: row.p256dh, auth: row.auth_secret } },
      JSON.stringify(payload),
      { vapidDetails: vapid, TTL: TTL_S, contentEncoding: 'aes128gcm', urgency: 'high' },
    );
    let status: number;
    try {
      const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)]));
      ({ status } = await o.outbound.post(request.endpoint, { headers, body: request.body ?? undefined }));
    } catch (err) {
      if (err instanceof OutboundRefused && !/no answer/.test(err.message)) {
        o.log.warn('push endpoint refused by the outbound guard', { reason: err.message });
        return;
      }
      throw err;
    }
    o.metrics?.inc('chat_push_sent_total', 'Push requests by the push service\'s status', { status: String(status) });
    if (status >= 200 && status < 300) return;
    if (status === 404 || status === 410) {
      await o.sql`DELETE FROM push_subscriptions WHERE id = ${job.subscription}`;
      return;
    }
    if (status === 429 || status >= 500) throw new Error(`the push service answered ${status}`);
    o.log.warn('push not accepted', { status });
  };
}

// The app badge: messages by others the person has not read, among the newest 1,000 of the instance
// (a bounded cost per push), at most 99.
async function badge(sql: Sql, userId: string): Promise<number> {
  const [row] = await sql<{ n: number }[]>`
    SELECT least(count(*), 99)::int AS n
    FROM (SELECT id, tx, room_id, author_id, deleted_at FROM messages ORDER BY id DESC LIMIT 1000) m
    LEFT JOIN read_positions p ON p.user_id = ${userId} AND p.room_id = m.room_id
    WHERE m.author_id <> ${userId} AND m.deleted_at IS NULL AND (p.user_id IS NULL OR (m.tx, m.id) > (p.tx, p.id))
      AND can_read(${userId}, m.room_id)`;
  return row?.n ?? 0;
}
