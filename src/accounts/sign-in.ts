import type { Limit } from '../config.ts';
import type { Sql } from '../db/connect.ts';
import { unknownNameHash, verifyPassword } from './passwords.ts';
import type { User } from './sessions.ts';
import type { HashQueue } from './hash-queue.ts';
import { give, live, seconds, type Counter } from './limits.ts';

export interface SignInLimits {
  /** Every attempt from one client address, successes too. */
  address: Limit;
  /** Failures for one name from one client: one address, or one browser holding its device cookie. */
  client: Limit;
  /** Failures for one name from all clients without its device cookie together. */
  name: Limit;
}

export interface Attempt {
  name: string;
  password: string;
  /** Limit key of the client's address. */
  address: string;
  /** Whose hashing this is, for the queue's fairness: the address, IPv6 by its /48. */
  client: string;
  /** The device id when the browser holds a device cookie issued to this name. */
  device: string | null;
}

export type SignedIn =
  | { ok: true; user: User }
  | { ok: false; reason: 'wrong' }
  | { ok: false; reason: 'deactivated' }
  | { ok: false; reason: 'limited'; what: string; retryAfterS: number }
  | { ok: false; reason: 'busy'; retryAfterS: number };

function nameCounters(a: Attempt, limits: SignInLimits): Counter[] {
  const name = a.name.toLowerCase();
  if (a.device) return [{ key: `signin-device:${a.device}`, limit: limits.client, what: 'failed sign-ins from this browser' }];
  return [
    { key: `signin:${name}@${a.address}`, limit: limits.client, what: 'failed sign-ins for this name from your address' },
    { key: `signin:${name}`, limit: limits.name, what: 'failed sign-ins for this name from browsers it has not used' },
  ];
}

/**
 * Signs in (never registers). An unknown name costs the same round trip and the same scrypt work
 * as a wrong password, against a dummy hash, and leaves no row behind: only names that exist are
 * counted per name. Successes give their per-name hits back; every attempt counts per address.
 */
export async function signIn(sql: Sql, queue: HashQueue, a: Attempt, limits: SignInLimits, hashCost: number): Promise<SignedIn> {
  const counters = live(nameCounters(a, limits));
  const [row] = await sql<{ blocked: number; wait_ms: number; user_id: string | null; user_name: string; user_role: User['role']; password_hash: string; active: boolean }[]>`
    SELECT * FROM sign_in_attempt(${a.name}, ${`signin-addr:${a.address}`}, ${limits.address?.max ?? null}::int, ${limits.address?.windowMs ?? null}::int,
      ${counters.map((k) => k.key)}::text[], ${counters.map((k) => k.limit.max)}::int[], ${counters.map((k) => k.limit.windowMs)}::int[])`;
  if (row!.blocked !== 0) {
    const what = row!.blocked < 0 ? 'sign-ins from your address' : counters[row!.blocked - 1]!.what;
    return { ok: false, reason: 'limited', what, retryAfterS: seconds(row!.wait_ms) };
  }
  const keys = row!.user_id === null ? [] : counters.map((k) => k.key);
  const checked = await queue.run(a.client, () => verifyPassword(a.password, row!.password_hash ?? unknownNameHash(hashCost)));
  if (!checked.ok) {
    // Never checked: not a guess.
    await give(sql, keys);
    return { ok: false, reason: 'busy', retryAfterS: checked.retryAfterS };
  }
  if (!checked.value || row!.user_id === null) return { ok: false, reason: 'wrong' };
  // Said only to someone who knows the password: it tells a stranger nothing.
  if (!row!.active) return { ok: false, reason: 'deactivated' };
  await give(sql, keys);
  return { ok: true, user: { id: row!.user_id, name: row!.user_name, role: row!.user_role } };
}
