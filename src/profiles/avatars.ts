import type { Sql } from '../db/connect.ts';

export interface StoredAvatar { bytes: Buffer; type: 'image/webp' | 'image/png'; version: number }

/** The uploaded picture of a person or bot, or null before any upload. */
export async function readAvatar(sql: Sql, userId: string): Promise<StoredAvatar | null> {
  const [row] = await sql<{ avatar: Buffer; avatar_type: StoredAvatar['type']; version: string }[]>`
    SELECT avatar, avatar_type, avatar_version::text AS version FROM profiles WHERE user_id = ${userId} AND avatar IS NOT NULL`;
  return row ? { bytes: row.avatar, type: row.avatar_type, version: Number(row.version) } : null;
}

/**
 * Keeps a picture already shrunk and re-encoded (src/profiles/avatar-image.ts). The version only
 * grows (milliseconds since 1970, or one more than before), so a browser holding the old picture
 * under its ETag fetches the new one.
 */
export async function saveAvatar(sql: Sql, userId: string, bytes: Buffer, type: StoredAvatar['type']): Promise<number> {
  const [row] = await sql<{ version: string }[]>`
    INSERT INTO profiles AS p (user_id, avatar, avatar_type, avatar_version)
    VALUES (${userId}, ${bytes}, ${type}, (extract(epoch FROM clock_timestamp()) * 1000)::bigint)
    ON CONFLICT (user_id) DO UPDATE SET avatar = excluded.avatar, avatar_type = excluded.avatar_type,
      avatar_version = greatest(p.avatar_version + 1, excluded.avatar_version), updated_at = now()
    RETURNING avatar_version::text AS version`;
  return Number(row!.version);
}
