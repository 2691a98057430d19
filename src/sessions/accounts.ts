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

function tooMany(waitMs: number): HttpError {
  const seconds = Math.ceil(waitMs / 1000);
  return new HttpError(429, `Too many failed sign-ins for this name. Try again in ${seconds} s.`, { 'Retry-After': String(seconds) });
}

/**
 * Signs in, or registers when the name is free. Failed attempts per name are counted in the
 * database, so the limit holds whichever replica a guess reaches.
 */
export async function signIn(sql: Sql, name: string, password: string, limit: Limit): Promise<{ user: User; created: boolean }> {
  const key = `signin:${name.toLowerCase()}`;
  if (limit) {
    const [row] = await sql<{ wait: number }[]>`SELECT rate_wait(${key}, ${limit.max}, ${limit.windowMs}) AS wait`;
    if (row!.wait > 0) throw tooMany(row!.wait);
  }
  const [existing] = await sql<{ id: string; name: string; password_hash: string }[]>`
    SELECT id, name, password_hash FROM users WHERE lower(name) = lower(${name})`;
  if (!existing) {
    const passwordHash = await hashPassword(password);
    const [created] = await sql<User[]>`
      INSERT INTO users (name, password_hash) VALUES (${name}, ${passwordHash})
      ON CONFLICT (lower(name)) DO NOTHING RETURNING id, name`;
    if (created) return { user: created, created: true };
    // Someone registered the name at the same moment: check the password against theirs.
    return signIn(sql, name, password, limit);
  }
  if (await verifyPassword(password, existing.password_hash)) {
    return { user: { id: existing.id, name: existing.name }, created: false };
  }
  if (limit) await sql`SELECT rate_hit(${key}, ${limit.max}, ${limit.windowMs})`;
  throw new HttpError(401, 'That name is taken, and the password does not match it.');
}
