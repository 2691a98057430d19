import { createHash, randomBytes } from 'node:crypto';
import type { Sql } from '../db/connect.ts';

export interface User { id: string; name: string; role: 'admin' | 'member'; /** Set for bots (src/bots/): Bearer callers, never sessions. */ kind?: 'bot' }

/** Absolute lifetime of a session, from sign-in. */
export const SESSION_DAYS = 30;
/** A session unused this long has ended. */
export const IDLE_DAYS = 7;
/** Live sessions per user: the oldest ends when one more begins, so a sign-in loop cannot fill the table. */
export const MAX_SESSIONS_PER_USER = 20;

const hash = (token: string) => createHash('sha256').update(token).digest();

/** A new 256-bit token; only its hash is stored. */
export async function createSession(sql: Sql, userId: string): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await sql`
    DELETE FROM sessions WHERE user_id = ${userId} AND token_hash NOT IN (
      SELECT token_hash FROM sessions
      WHERE user_id = ${userId} AND expires_at > now() AND last_seen_at > now() - make_interval(days => ${IDLE_DAYS})
      ORDER BY created_at DESC LIMIT ${MAX_SESSIONS_PER_USER - 1})`;
  await sql`
    INSERT INTO sessions (token_hash, user_id, expires_at)
    VALUES (${hash(token)}, ${userId}, now() + make_interval(days => ${SESSION_DAYS}))`;
  return token;
}

/** The stored form of a token, or null for anything that cannot be one of ours. */
export function tokenHash(token: string): Buffer | null {
  return /^[A-Za-z0-9_-]{43}$/.test(token) ? hash(token) : null;
}

export async function findSession(sql: Sql, token: string): Promise<User | null> {
  const tokenHashed = tokenHash(token);
  if (!tokenHashed) return null;
  const [row] = await sql<{ user_id: string; name: string; role: User['role'] }[]>`
    SELECT l.user_id, l.name, u.role FROM live_session(${tokenHashed}, ${IDLE_DAYS}) l JOIN users u ON u.id = l.user_id`;
  return row ? { id: row.user_id, name: row.name, role: row.role } : null;
}

export async function endSession(sql: Sql, token: string): Promise<void> {
  await sql`DELETE FROM sessions WHERE token_hash = ${hash(token)}`;
}

/** Deletes ended sessions and rate counters whose window closed before the longest one configured. */
export async function forgetExpired(sql: Sql, longestWindowMs: number): Promise<void> {
  await sql`SELECT forget_expired(${IDLE_DAYS}, ${Math.ceil(longestWindowMs)})`;
}

/** Ends every session of a person (sign out everywhere). */
export async function endAllSessions(sql: Sql, userId: string): Promise<void> {
  await sql`DELETE FROM sessions WHERE user_id = ${userId}`;
}

/** Sets the password of the session's holder and ends their other sessions; false if the session ended. */
export async function changePassword(sql: Sql, token: string, passwordHash: string): Promise<boolean> {
  const hashed = tokenHash(token);
  if (!hashed) return false;
  const [row] = await sql<{ changed: boolean }[]>`SELECT change_password(${hashed}, ${passwordHash}) AS changed`;
  return row!.changed;
}
