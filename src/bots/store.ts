import { createHash, randomBytes } from 'node:crypto';
import type { Sql } from '../db/connect.ts';
import type { User } from '../accounts/sessions.ts';
import type { Sealer } from './sealing.ts';

export interface Bot { name: string; webhookUrl: string | null; createdAt: Date }
/** What an admin is shown once, when a bot is made or its credentials reset. */
export interface Issued { bot: { name: string; webhookUrl: string | null }; token: string; webhookSecret: string }

export type Made = { ok: true; issued: Issued } | { ok: false; reason: 'taken' | 'unknown' };

// A token is "bot_" and 43 base64url characters, so a leaked one is recognisable in logs and scanners.
const TOKEN = /^bot_[A-Za-z0-9_-]{43}$/;
const hash = (token: string) => createHash('sha256').update(token).digest();
const newToken = () => `bot_${randomBytes(32).toString('base64url')}`;
const newSecret = () => `whsec_${randomBytes(32).toString('base64url')}`;

/** The bot a token belongs to, or null; checked in the database on every request, so a reset counts at once everywhere. */
export async function botByToken(sql: Sql, token: string): Promise<User | null> {
  if (!TOKEN.test(token)) return null;
  const [row] = await sql<{ id: string; name: string }[]>`
    SELECT u.id::text, u.name FROM bots b JOIN users u ON u.id = b.user_id
    WHERE b.token_hash = ${hash(token)} AND u.deactivated_at IS NULL`;
  return row ? { id: row.id, name: row.name, role: 'member', kind: 'bot' } : null;
}

export async function createBot(sql: Sql, sealer: Sealer, name: string, webhookUrl: string | null, by: string): Promise<Made> {
  const token = newToken();
  const webhookSecret = newSecret();
  const sealed = await sealer.seal(webhookSecret);
  return sql.begin(async (tx) => {
    const [user] = await tx<{ id: string }[]>`
      INSERT INTO users (name, password_hash, kind) VALUES (${name}, '!', 'bot') ON CONFLICT DO NOTHING RETURNING id::text`;
    if (!user) return { ok: false, reason: 'taken' } as const;
    await tx`
      INSERT INTO bots (user_id, token_hash, webhook_secret_sealed, webhook_url, created_by)
      VALUES (${user.id}, ${hash(token)}, ${sealed}, ${webhookUrl}, ${by})`;
    return { ok: true, issued: { bot: { name, webhookUrl }, token, webhookSecret } } as const;
  });
}

/** A new token and secret; the old ones stop working when this commits. */
export async function resetBot(sql: Sql, sealer: Sealer, name: string): Promise<Made> {
  const token = newToken();
  const webhookSecret = newSecret();
  const sealed = await sealer.seal(webhookSecret);
  return sql.begin(async (tx) => {
    const [old] = await tx<{ user_id: string; name: string; webhook_url: string | null; created_by: string | null }[]>`
      DELETE FROM bots b USING users u
      WHERE u.id = b.user_id AND lower(u.name) = lower(${name})
      RETURNING b.user_id::text, u.name, b.webhook_url, b.created_by::text`;
    // A bot brought by an import has no credentials yet: the reset gives it its first ones.
    const [bot] = old ? [old] : await tx<{ user_id: string; name: string; webhook_url: null; created_by: null }[]>`
      SELECT id::text AS user_id, name, NULL AS webhook_url, NULL AS created_by FROM users
      WHERE kind = 'bot' AND deactivated_at IS NULL AND lower(name) = lower(${name})`;
    if (!bot) return { ok: false, reason: 'unknown' } as const;
    await tx`
      INSERT INTO bots (user_id, token_hash, webhook_secret_sealed, webhook_url, created_by)
      VALUES (${bot.user_id}, ${hash(token)}, ${sealed}, ${bot.webhook_url}, ${bot.created_by})`;
    return { ok: true, issued: { bot: { name: bot.name, webhookUrl: bot.webhook_url }, token, webhookSecret } } as const;
  });
}

/** Points a bot's outgoing webhook at another URL, or at none (null): the next delivery planned uses it. */
export async function setWebhook(sql: Sql, name: string, webhookUrl: string | null): Promise<Bot | null> {
  const [bot] = await sql<Bot[]>`
    UPDATE bots b SET webhook_url = ${webhookUrl} FROM users u
    WHERE u.id = b.user_id AND lower(u.name) = lower(${name}) AND u.deactivated_at IS NULL
    RETURNING u.name, b.webhook_url AS "webhookUrl", coalesce(b.created_at, u.created_at) AS "createdAt"`;
  return bot ?? null;
}

/**
 * Deletes the bot's credentials and deactivates its account: its messages keep their author, and
 * its name stays taken (like a deactivated person's), so nobody can post under it later.
 */
export async function deleteBot(sql: Sql, name: string): Promise<boolean> {
  return sql.begin(async (tx) => {
    const [gone] = await tx<{ user_id: string }[]>`
      DELETE FROM bots b USING users u WHERE u.id = b.user_id AND lower(u.name) = lower(${name}) RETURNING b.user_id::text`;
    if (!gone) return false;
    await tx`UPDATE users SET deactivated_at = coalesce(deactivated_at, now()) WHERE id = ${gone.user_id}`;
    return true;
  });
}

export async function listBots(sql: Sql): Promise<Bot[]> {
  return sql<Bot[]>`
    SELECT u.name, b.webhook_url AS "webhookUrl", coalesce(b.created_at, u.created_at) AS "createdAt"
    FROM users u LEFT JOIN bots b ON b.user_id = u.id
    WHERE u.kind = 'bot' AND u.deactivated_at IS NULL ORDER BY lower(u.name)`;
}

/** Every bot's name, the deleted ones' too (their messages stay a bot's). */
export async function botNames(sql: Sql): Promise<string[]> {
  const rows = await sql<{ name: string }[]>`SELECT name FROM users WHERE kind = 'bot'`;
  return rows.map((r) => r.name);
}

export interface Delivery { id: string; bot: string; messageId: string; status: string; attempts: number; httpStatus: number | null; latencyMs: number | null; error: string | null; at: Date }

/** The last deliveries of each bot, newest first. */
export async function recentDeliveries(sql: Sql, perBot = 10): Promise<Delivery[]> {
  return sql<Delivery[]>`
    SELECT d.id::text, u.name AS bot, d.message_id::text AS "messageId", d.status, d.attempts, d.http_status AS "httpStatus",
           d.latency_ms AS "latencyMs", d.error, d.updated_at AS at
    FROM bots b JOIN users u ON u.id = b.user_id
    CROSS JOIN LATERAL (SELECT * FROM webhook_deliveries w WHERE w.bot_id = b.user_id ORDER BY w.created_at DESC LIMIT ${perBot}) d
    ORDER BY lower(u.name), d.created_at DESC`;
}
