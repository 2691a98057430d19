import { randomBytes } from 'node:crypto';
import type { Sql } from '../db/connect.ts';

// The join link's code: one per instance, shown to admins, replaced when they rotate it.
const fresh = () => randomBytes(18).toString('base64url');

export async function joinCode(sql: Sql): Promise<string> {
  await sql`INSERT INTO instance_keys (name, value) VALUES ('join', ${fresh()}) ON CONFLICT (name) DO NOTHING`;
  const [row] = await sql<{ value: string }[]>`SELECT value FROM instance_keys WHERE name = 'join'`;
  return row!.value;
}

/** A new code; the old one stops working at once, on every replica. */
export async function rotateJoinCode(sql: Sql): Promise<string> {
  const [row] = await sql<{ value: string }[]>`
    INSERT INTO instance_keys (name, value) VALUES ('join', ${fresh()})
    ON CONFLICT (name) DO UPDATE SET value = excluded.value, created_at = now() RETURNING value`;
  return row!.value;
}

export async function joinCodeValid(sql: Sql, code: unknown): Promise<boolean> {
  if (typeof code !== 'string' || !/^[A-Za-z0-9_-]{24}$/.test(code)) return false;
  const rows = await sql`SELECT 1 FROM instance_keys WHERE name = 'join' AND value = ${code}`;
  return rows.length === 1;
}
