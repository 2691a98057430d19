import type { Sql } from '../db/connect.ts';
import type { Limit } from '../config.ts';
import { HttpError } from '../http/errors.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import type { User } from './store.ts';

export const NAME_RULE = /^[A-Za-z0-9._-]{1,32}$/;

export function checkCredentials(name: string, password: string): void {
  if (!NAME_RULE.test(name)) {
    throw new HttpError(400, 'A name is 1 to 32 letters, digits, dots, underscores or hyphens.');
  }
  const length = [...password].length;
  if (length < 8 || length > 256) throw new HttpError(400, 'A password is 8 to 256 characters.');
}

export interface SignInLimits {
  /** Failed sign-ins per name. */
  name: Limit;
  /** Failed sign-ins per client address, whatever the names. */
  address: Limit;
  /** Names registered per client address. */
  register: Limit;
}

interface Counter { key: string; limit: Limit; what: string }

/**
 * Counts one attempt against every counter, all or none, in the database (so the limits hold
 * whichever replica an attempt reaches), and answers 429 when one is used up. Returns the keys
 * taken, to give back if the attempt turns out not to count.
 */
async function take(sql: Sql, counters: Counter[]): Promise<string[]> {
  const live = counters.filter((k): k is Counter & { limit: NonNullable<Limit> } => k.limit !== null);
  if (live.length === 0) return [];
  const [row] = await sql<{ blocked: number; wait_ms: number }[]>`
    SELECT * FROM rate_take(${live.map((k) => k.key)}::text[], ${live.map((k) => k.limit.max)}::int[], ${live.map((k) => k.limit.windowMs)}::int[])`;
  if (row!.blocked > 0) {
    const seconds = Math.ceil(row!.wait_ms / 1000);
    throw new HttpError(429, `Too many ${live[row!.blocked - 1]!.what}. Try again in ${seconds} s.`, { 'Retry-After': String(seconds) });
  }
  return live.map((k) => k.key);
}

async function give(sql: Sql, keys: string[]): Promise<void> {
  if (keys.length > 0) await sql`SELECT rate_give(${keys}::text[])`;
}

const findUser = async (sql: Sql, name: string) =>
  (await sql<{ id: string; name: string; password_hash: string }[]>`
    SELECT id, name, password_hash FROM users WHERE lower(name) = lower(${name})`)[0];

/**
 * Signs in, or registers when the name is free. The attempt is counted before the password is
 * checked and given back when it succeeds, so only failures use up the limits.
 */
export async function signIn(sql: Sql, name: string, password: string, address: string, limits: SignInLimits): Promise<{ user: User; created: boolean }> {
  const attempt = await take(sql, [
    { key: `signin-addr:${address}`, limit: limits.address, what: 'failed sign-ins from your address' },
    { key: `signin:${name.toLowerCase()}`, limit: limits.name, what: 'failed sign-ins for this name' },
  ]);
  let existing = await findUser(sql, name);
  if (!existing) {
    // Refused for want of a free registration, the attempt was no guess: it does not count.
    const registration = await take(sql, [{ key: `register:${address}`, limit: limits.register, what: 'new names registered from your address' }])
      .catch(async (err: unknown) => {
        await give(sql, attempt);
        throw err;
      });
    const passwordHash = await hashPassword(password);
    const [created] = await sql<User[]>`
      INSERT INTO users (name, password_hash) VALUES (${name}, ${passwordHash})
      ON CONFLICT (lower(name)) DO NOTHING RETURNING id, name`;
    if (created) {
      await give(sql, attempt);
      return { user: created, created: true };
    }
    // Someone registered the name at the same moment: check the password against theirs.
    await give(sql, registration);
    existing = await findUser(sql, name);
  }
  if (existing && (await verifyPassword(password, existing.password_hash))) {
    await give(sql, attempt);
    return { user: { id: existing.id, name: existing.name }, created: false };
  }
  throw new HttpError(401, 'That name is taken, and the password does not match it.');
}
