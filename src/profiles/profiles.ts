import type { Sql } from '../db/connect.ts';
import type { Reason } from '../outcome.ts';
import { NAME_RULE } from '../accounts/rules.ts';

/** Characters a bio may hold (the column's CHECK counts the same). */
export const BIO_MAX = 500;

export interface Profile {
  id: string;
  name: string;
  kind: 'person' | 'bot';
  active: boolean;
  bio: string;
  /** 0 until a picture is uploaded; the picture's ETag and cache-busting version after. */
  avatarVersion: number;
}

/** A person's or bot's profile by name (any case), deactivated ones included; null for no such name. */
export async function findProfile(sql: Sql, name: string): Promise<Profile | null> {
  if (!NAME_RULE.test(name)) return null;
  const [row] = await sql<{ id: string; name: string; kind: 'person' | 'bot'; active: boolean; bio: string | null; version: string | null }[]>`
    SELECT u.id::text, u.name, u.kind, u.deactivated_at IS NULL AS active, p.bio, p.avatar_version::text AS version
    FROM users u LEFT JOIN profiles p ON p.user_id = u.id
    WHERE lower(u.name) = lower(${name})`;
  if (!row) return null;
  return { id: row.id, name: row.name, kind: row.kind, active: row.active, bio: row.bio ?? '', avatarVersion: Number(row.version ?? 0) };
}

/**
 * What is wrong with a bio, or null: text of at most 500 characters without control characters
 * other than line breaks and tabs (the page shows line breaks as they were typed).
 */
export function bioProblem(bio: unknown): string | null {
  if (typeof bio !== 'string') return '"bio" must be a string.';
  if ([...bio].length > BIO_MAX) return `A bio is at most ${BIO_MAX} characters.`;
  if (/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(bio)) return 'A bio cannot hold control characters.';
  if (!bio.isWellFormed()) return 'A bio must be well-formed text.';
  return null;
}

export type BioOutcome = { ok: true; bio: string } | { ok: false; reason: Reason; message: string };

/** Sets the caller's bio (trimmed; line breaks kept as \n). */
export async function setBio(sql: Sql, userId: string, raw: unknown): Promise<BioOutcome> {
  const problem = bioProblem(raw);
  if (problem) return { ok: false, reason: 'bad_input', message: problem };
  const bio = (raw as string).replace(/\r\n?/g, '\n').trim();
  await sql`
    INSERT INTO profiles (user_id, bio) VALUES (${userId}, ${bio})
    ON CONFLICT (user_id) DO UPDATE SET bio = excluded.bio, updated_at = now()`;
  return { ok: true, bio };
}
