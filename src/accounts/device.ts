import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

// OWASP's "device cookies": a browser that has signed in as a name before holds a cookie signed
// for that name. Its attempts are counted per device, not against the name, so an attacker who
// exhausts the name's budget for unknown clients does not lock its owner out.

const mac = (key: string, name: string, id: string) =>
  createHmac('sha256', key).update(`${name.toLowerCase()}\n${id}`).digest('base64url');

/** A new device cookie value for this name: "<id>.<mac>". The name itself is not in it. */
export function issueDevice(key: string, name: string): string {
  const id = randomBytes(16).toString('base64url');
  return `${id}.${mac(key, name, id)}`;
}

/** The device's id when the cookie was issued to this name by this instance, else null. */
export function deviceFor(key: string, name: string, cookie: string | undefined): string | null {
  const m = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/.exec(cookie ?? '');
  if (!m) return null;
  const expected = Buffer.from(mac(key, name, m[1]!));
  const given = Buffer.from(m[2]!);
  return expected.length === given.length && timingSafeEqual(expected, given) ? m[1]! : null;
}
