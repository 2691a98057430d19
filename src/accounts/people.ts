import type { Sql } from '../db/connect.ts';

export interface Person { name: string; role: 'admin' | 'member'; active: boolean; createdAt: Date }

// Serialises changes that could leave the instance without an active admin.
const ADMINS_LOCK = 72_657_322;

export async function listPeople(sql: Sql): Promise<Person[]> {
  return sql<Person[]>`
    SELECT name, role, deactivated_at IS NULL AS active, created_at AS "createdAt" FROM users WHERE kind = 'person' ORDER BY lower(name)`;
}

export type Changed = { ok: true } | { ok: false; reason: 'unknown' | 'last-admin' };

type Change = { active: boolean } | { role: 'admin' | 'member' };

/**
 * Deactivates, reactivates or changes someone's role. Deactivation ends their sessions in the same
 * transaction; the users_changed trigger logs it, and every replica's poll then ends their streams.
 * No change may leave the instance without an active admin.
 */
export async function changePerson(sql: Sql, name: string, change: Change): Promise<Changed> {
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${ADMINS_LOCK})`;
    const [person] = await tx<{ id: string; role: string; active: boolean }[]>`
      SELECT id, role, deactivated_at IS NULL AS active FROM users WHERE lower(name) = lower(${name}) FOR UPDATE`;
    if (!person) return { ok: false, reason: 'unknown' } as const;
    const losesAdmin = person.role === 'admin' && person.active && ('active' in change ? !change.active : change.role !== 'admin');
    if (losesAdmin) {
      const [{ n }] = (await tx`SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND deactivated_at IS NULL`) as unknown as [{ n: number }];
      if (n <= 1) return { ok: false, reason: 'last-admin' } as const;
    }
    if ('role' in change) {
      await tx`UPDATE users SET role = ${change.role} WHERE id = ${person.id}`;
    } else if (change.active) {
      await tx`UPDATE users SET deactivated_at = NULL WHERE id = ${person.id}`;
    } else {
      await tx`UPDATE users SET deactivated_at = coalesce(deactivated_at, now()) WHERE id = ${person.id}`;
      await tx`DELETE FROM sessions WHERE user_id = ${person.id}`;
    }
    return { ok: true } as const;
  });
}
