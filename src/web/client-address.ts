import { isIP } from 'node:net';
import type { Context } from 'hono';

/**
 * Who is asking, as a key for per-client limits. Behind a trusted proxy (TRUST_PROXY=on) it is the
 * right-most X-Forwarded-For entry: the one the proxy itself appended, which the client cannot
 * choose (entries to its left can be forged). Otherwise it is the socket's peer.
 */
export function clientAddress(c: Context, trustProxy: boolean, v6Prefix: V6Prefix = 64): string {
  const socket = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress;
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',').at(-1);
    const key = forwarded === undefined ? null : addressKey(forwarded, v6Prefix);
    if (key) return key;
  }
  return addressKey(socket ?? '', v6Prefix) ?? 'unknown';
}

/**
 * How much of an IPv6 address names one client: a /64 (one household or server), or a /48, the
 * block a site is commonly given, for limits on what is cheap to repeat from many of its /64s
 * (new accounts).
 */
export type V6Prefix = 64 | 48;

/**
 * An address as a limit key: IPv4 as is (also when written as ::ffff:a.b.c.d), IPv6 by its /64
 * (or /48), because anyone with one IPv6 address has a whole /64 of them. Null when it is no address.
 */
export function addressKey(raw: string, v6Prefix: V6Prefix = 64): string | null {
  let ip = raw.trim().toLowerCase();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(ip);
  if (bracketed) ip = bracketed[1]!;
  else if (/^[\d.]+:\d+$/.test(ip)) ip = ip.slice(0, ip.lastIndexOf(':'));
  ip = ip.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(ip);
  if (mapped) ip = mapped[1]!;
  const family = isIP(ip);
  if (family === 4) return ip;
  if (family !== 6) return null;
  return `${v6Groups(ip).slice(0, v6Prefix / 16).map((g) => parseInt(g, 16).toString(16)).join(':')}::/${v6Prefix}`;
}

function v6Groups(ip: string): string[] {
  const split = (s: string) => (s ? s.split(':') : []);
  const [head, tail] = ip.split('::');
  const left = split(head!);
  const right = split(tail ?? '');
  // An embedded IPv4 tail (64:ff9b::1.2.3.4) fills two groups.
  const width = (groups: string[]) => groups.length + (groups.at(-1)?.includes('.') ? 1 : 0);
  const fill = tail === undefined ? 0 : 8 - width(left) - width(right);
  return [...left, ...Array<string>(fill).fill('0'), ...right];
}
