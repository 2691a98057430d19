import type { Sql } from '../db/connect.ts';
import { DUMMY_HASH } from './passwords.ts';
import type { User } from './sessions.ts';

/** Whether the name is an account the Slack import made that nobody has claimed yet. */
export async function unclaimedImport(sql: Sql, name: string): Promise<boolean> {
  const rows = await sql`
    SELECT 1 FROM users u JOIN slack_users s ON s.user_id = u.id
    WHERE lower(u.name) = lower(${name}) AND u.password_hash = ${DUMMY_HASH} AND u.deactivated_at IS NULL`;
  return rows.length > 0;
}

/** Sets the first password of such an account (sql/081); null when someone was quicker. */
export async function claimImport(sql: Sql, name: string, passwordHash: string): Promise<User | null> {
  const [user] = await sql<User[]>`SELECT id, name, role FROM claim_imported_account(${name}, ${DUMMY_HASH}, ${passwordHash})`;
  return user ?? null;
}

export async function claimed(user: Promise<User | null>): Promise<{ ok: true; user: User } | { ok: false; reason: 'taken' }> {
  const u = await user;
  return u ? { ok: true, user: u } : { ok: false, reason: 'taken' };
}
