import { createHash, randomBytes } from 'node:crypto';
import type { Sql } from '../db/connect.ts';
import type { User } from './sessions.ts';

/** How long a password-reset link works. */
export const RESET_HOURS = 24;

const hash = (code: string) => createHash('sha256').update(code).digest();
const wellFormed = (code: string) => /^[A-Za-z0-9_-]{43}$/.test(code);

/** A one-time reset code for someone (replacing any earlier one), or null for an unknown name. */
export async function createReset(sql: Sql, name: string, byUserId: string): Promise<string | null> {
  const code = randomBytes(32).toString('base64url');
  return sql.begin(async (tx) => {
    const [user] = await tx<{ id: string }[]>`SELECT id FROM users WHERE lower(name) = lower(${name})`;
    if (!user) return null;
    await tx`DELETE FROM password_resets WHERE user_id = ${user.id}`;
    await tx`
      INSERT INTO password_resets (code_hash, user_id, created_by, expires_at)
      VALUES (${hash(code)}, ${user.id}, ${byUserId}, now() + make_interval(hours => ${RESET_HOURS}))`;
    return code;
  });
}

/** Whose password the code resets, while it is unused and unexpired. */
export async function resetFor(sql: Sql, code: string): Promise<string | null> {
  if (!wellFormed(code)) return null;
  const [row] = await sql<{ name: string }[]>`
    SELECT u.name FROM password_resets r JOIN users u ON u.id = r.user_id WHERE r.code_hash = ${hash(code)} AND r.expires_at > now() AND u.deactivated_at IS NULL`;
  return row?.name ?? null;
}

/** Uses the code once: sets the password and ends every session of that person (sql/025). */
export async function useReset(sql: Sql, code: string, passwordHash: string): Promise<User | null> {
  if (!wellFormed(code)) return null;
  const [user] = await sql<User[]>`SELECT id, name, role FROM use_password_reset(${hash(code)}, ${passwordHash})`;
  return user ?? null;
}
