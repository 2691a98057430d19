import type { Sql } from '../db/connect.ts';

export interface SubscriptionInput { endpoint: string; p256dh: string; auth: string }

/** A PushSubscription's JSON, or why it is not one. */
export function readSubscription(fields: Record<string, unknown>): SubscriptionInput | string {
  const { endpoint, keys } = fields as { endpoint?: unknown; keys?: { p256dh?: unknown; auth?: unknown } };
  if (typeof endpoint !== 'string' || endpoint.length === 0 || endpoint.length > 2048) return '"endpoint" is the push service URL of the subscription.';
  const p256dh = keys?.p256dh;
  const auth = keys?.auth;
  // The browser's P-256 public key (65 bytes) and 16-byte auth secret, base64url (RFC 8291).
  if (typeof p256dh !== 'string' || !/^[A-Za-z0-9_-]{86,88}={0,2}$/.test(p256dh)) return '"keys.p256dh" is the subscription\'s public key, base64url.';
  if (typeof auth !== 'string' || !/^[A-Za-z0-9_-]{22,24}={0,2}$/.test(auth)) return '"keys.auth" is the subscription\'s auth secret, base64url.';
  return { endpoint, p256dh: p256dh.replace(/=+$/, ''), auth: auth.replace(/=+$/, '') };
}

/**
 * Keeps a device's subscription for the session that asked. The same endpoint from another session
 * (the device signed in again) moves to it. 'created' or 'known'.
 */
export async function subscribe(sql: Sql, userId: string, sessionHash: Buffer, s: SubscriptionInput): Promise<'created' | 'known'> {
  return sql.begin(async (tx) => {
    const [same] = await tx`
      SELECT 1 FROM push_subscriptions
      WHERE endpoint = ${s.endpoint} AND user_id = ${userId} AND session_hash = ${sessionHash} AND p256dh = ${s.p256dh} AND auth_secret = ${s.auth}`;
    if (same) return 'known';
    await tx`DELETE FROM push_subscriptions WHERE endpoint = ${s.endpoint}`;
    await tx`
      INSERT INTO push_subscriptions (user_id, session_hash, endpoint, p256dh, auth_secret)
      VALUES (${userId}, ${sessionHash}, ${s.endpoint}, ${s.p256dh}, ${s.auth})`;
    return 'created';
  });
}

export async function unsubscribe(sql: Sql, userId: string, endpoint: string): Promise<void> {
  await sql`DELETE FROM push_subscriptions WHERE endpoint = ${endpoint} AND user_id = ${userId}`;
}
