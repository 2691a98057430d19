import type { Sql } from '../db/connect.ts';
import type { User } from './sessions.ts';

// Any constant will do: it only serialises the creation of an empty instance's first account.
const FIRST_ACCOUNT_LOCK = 72_657_321;

/** Whether the name, or one that looks like it (see name_skeleton in sql/021), is in use. */
// Words of routes beside /users/<name>: GET /users/challenge is registration's challenge, so a
// person of that name would have no profile page.
const ROUTE_WORDS = new Set(['challenge']);

export async function nameTaken(sql: Sql, name: string): Promise<boolean> {
  if (ROUTE_WORDS.has(name.toLowerCase())) return true;
  const rows = await sql`SELECT 1 FROM users WHERE lower(name) = lower(${name}) OR name_skeleton = name_skeleton(${name}) LIMIT 1`;
  return rows.length > 0;
}

export async function hasUsers(sql: Sql): Promise<boolean> {
  const [row] = await sql<{ any: boolean }[]>`SELECT EXISTS (SELECT FROM users) AS any`;
  return row!.any;
}

export type Created = { ok: true; user: User } | { ok: false; reason: 'taken' | 'not-first' };

/**
 * Creates an account. `first`: only on an empty instance, and as its admin; two people racing
 * for the first account get one admin and one refusal.
 */
export async function createAccount(sql: Sql, name: string, passwordHash: string, first: boolean): Promise<Created> {
  return sql.begin(async (tx) => {
    if (first) await tx`SELECT pg_advisory_xact_lock(${FIRST_ACCOUNT_LOCK})`;
    if (first && (await tx`SELECT 1 FROM users LIMIT 1`).length > 0) return { ok: false, reason: 'not-first' } as const;
    const [user] = await tx<User[]>`
      INSERT INTO users (name, password_hash, role) VALUES (${name}, ${passwordHash}, ${first ? 'admin' : 'member'})
      ON CONFLICT DO NOTHING RETURNING id, name, role`;
    return user ? ({ ok: true, user } as const) : ({ ok: false, reason: 'taken' } as const);
  });
}
