import type postgres from 'postgres';
import { DUMMY_HASH } from '../accounts/passwords.ts';
import type { SlackUser } from './format.ts';

type Tx = postgres.TransactionSql;

/** A name that fits this chat's rules (1 to 32 of letters, digits, . _ -). */
export function localName(u: SlackUser): string {
  const raw = u.name || u.profile?.display_name || u.id;
  return raw.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 32) || u.id;
}

/**
 * Slack's people as accounts, once each (slack_users): without a password yet (DUMMY_HASH, which
 * no password matches, checked in the same time as a real one), so that a password reset link
 * claims them. Owners and admins become admins; deleted people come as deactivated. A name
 * already taken here, or one that looks like it, gets a number. Returns Slack id -> user id.
 */
export async function importPeople(tx: Tx, users: SlackUser[]): Promise<{ ids: Map<string, string>; names: Map<string, string>; added: number }> {
  const ids = new Map<string, string>();
  const names = new Map<string, string>();
  let added = 0;
  for (const u of users) {
    const [known] = await tx<{ id: string; name: string }[]>`
      SELECT s.user_id AS id, x.name FROM slack_users s JOIN users x ON x.id = s.user_id WHERE s.slack_id = ${u.id}`;
    if (known) {
      ids.set(u.id, known.id);
      names.set(u.id, known.name);
      continue;
    }
    const base = localName(u);
    let name = base;
    for (let n = 2; await taken(tx, name); n++) name = `${base.slice(0, 28)}-${n}`;
    const admin = u.is_owner || u.is_admin || u.is_primary_owner;
    const [row] = await tx<{ id: string }[]>`
      INSERT INTO users (name, password_hash, role, deactivated_at)
      VALUES (${name}, ${DUMMY_HASH}, ${admin ? 'admin' : 'member'}, ${u.deleted ? new Date() : null})
      RETURNING id`;
    await tx`INSERT INTO slack_users (slack_id, user_id) VALUES (${u.id}, ${row!.id})`;
    ids.set(u.id, row!.id);
    names.set(u.id, name);
    added++;
  }
  return { ids, names, added };
}

async function taken(tx: Tx, name: string): Promise<boolean> {
  const rows = await tx`SELECT 1 FROM users WHERE lower(name) = lower(${name}) OR name_skeleton = name_skeleton(${name}) LIMIT 1`;
  return rows.length > 0;
}
