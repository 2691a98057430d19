import { randomBytes } from 'node:crypto';
import type { Sql } from '../db/connect.ts';
import { tokenHash, type User } from '../accounts/sessions.ts';

/** The contract's bound on a sign-in link's life. */
export const TRANSFER_MAX_MS = 4 * 60 * 60 * 1000;

/**
 * A one-use link that signs another device in as the holder of `session`: a 256-bit token, of
 * which only the hash is kept. It lasts `ttlMs` (at most 4 hours) and ends with that session.
 * Links of the person that expired over a day ago are forgotten on the way.
 */
export async function createTransfer(sql: Sql, userId: string, session: string, ttlMs: number): Promise<string | null> {
  const sessionHash = tokenHash(session);
  if (!sessionHash) return null;
  const token = randomBytes(32).toString('base64url');
  const ms = Math.max(1, Math.min(ttlMs, TRANSFER_MAX_MS));
  await sql`DELETE FROM transfer_links WHERE user_id = ${userId} AND expires_at < now() - interval '1 day'`;
  const made = await sql`
    INSERT INTO transfer_links (token_hash, user_id, session_hash, expires_at)
    SELECT ${tokenHash(token)}, ${userId}, s.token_hash, now() + make_interval(secs => ${ms / 1000})
    FROM sessions s WHERE s.token_hash = ${sessionHash} AND s.user_id = ${userId}`;
  return made.count === 1 ? token : null;
}

/** live: it signs in; gone: it did (once), or expired, or was voided; unknown: never one of ours. */
export type TransferState = 'live' | 'gone' | 'unknown';

export async function transferState(sql: Sql, token: string): Promise<TransferState> {
  const hashed = tokenHash(token);
  if (!hashed) return 'unknown';
  const [row] = await sql<{ live: boolean }[]>`
    SELECT (t.used_at IS NULL AND t.expires_at > now() AND t.session_hash IS NOT NULL AND u.deactivated_at IS NULL) AS live
    FROM transfer_links t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ${hashed}`;
  return row ? (row.live ? 'live' : 'gone') : 'unknown';
}

/** Whom a live link signs in, for its page to say so (a link sent by someone else signs one in as them). */
export async function transferOwner(sql: Sql, token: string): Promise<string | null> {
  const hashed = tokenHash(token);
  if (!hashed) return null;
  const [row] = await sql<{ name: string }[]>`
    SELECT u.name FROM transfer_links t JOIN users u ON u.id = t.user_id
    WHERE t.token_hash = ${hashed} AND t.used_at IS NULL AND t.expires_at > now() AND u.deactivated_at IS NULL`;
  return row?.name ?? null;
}

/**
 * Uses the link: the person it signs in, once. Two devices racing for one link: the row's lock
 * makes the second see used_at set, and it gets nothing.
 */
export async function useTransfer(sql: Sql, token: string): Promise<User | null> {
  const hashed = tokenHash(token);
  if (!hashed) return null;
  const [row] = await sql<{ id: string; name: string; role: User['role'] }[]>`
    UPDATE transfer_links t SET used_at = now()
    FROM users u
    WHERE t.token_hash = ${hashed} AND t.used_at IS NULL AND t.expires_at > now() AND t.session_hash IS NOT NULL
      AND u.id = t.user_id AND u.deactivated_at IS NULL AND u.kind = 'person'
    RETURNING u.id::text, u.name, u.role`;
  return row ?? null;
}
