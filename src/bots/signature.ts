import { createHmac, timingSafeEqual } from 'node:crypto';

/** X-Chat-Signature's value: sha256=<hex HMAC-SHA256, keyed with the secret's UTF-8 bytes, of "<timestamp>.<raw body>">. */
export function sign(secret: string, timestamp: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', Buffer.from(secret, 'utf8')).update(`${timestamp}.`).update(body).digest('hex')}`;
}

/** What a receiver does (Documentation/bots.md): recompute, compare in constant time, refuse old timestamps. */
export function verify(secret: string, timestamp: string, body: Buffer | string, signature: string, nowS = Date.now() / 1000, toleranceS = 300): boolean {
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(nowS - Number(timestamp)) > toleranceS) return false;
  const expected = Buffer.from(sign(secret, timestamp, body));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
