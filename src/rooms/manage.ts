import { randomBytes } from 'node:crypto';
import type { Sql } from '../db/connect.ts';
import type { Reader, Room } from './registry.ts';

export type Refusal =
  | { ok: false; reason: 'bad_input'; message: string }
  | { ok: false; reason: 'unknown_person'; message: string }
  | { ok: false; reason: 'not_allowed'; message: string };

const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/;

export function checkTitle(raw: unknown, field = 'title', max = 80, min = 1): string | Refusal {
  if (typeof raw !== 'string') return { ok: false, reason: 'bad_input', message: `"${field}" must be text.` };
  const v = raw.trim();
  if ([...v].length < min || [...v].length > max || CONTROL.test(v) || /[\n\t]/.test(v) || !v.isWellFormed()) {
    return { ok: false, reason: 'bad_input', message: `"${field}" is ${min} to ${max} characters on one line.` };
  }
  // Direction overrides and isolates turn the text around it (issue 19: `x\u202ey` beside the unread badge).
  if (/[\u202a-\u202e\u2066-\u2069]/.test(v)) return { ok: false, reason: 'bad_input', message: `"${field}" may not hold direction controls (U+202A to U+202E, U+2066 to U+2069).` };
  return v;
}

/** A readable, unique-enough slug from a title: "Release 2.0!" becomes "release-2-0". */
export function slugify(title: string): string {
  const base = title.normalize('NFKD').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 32).replace(/-+$/, '');
  return base || 'room';
}

/** The ids of active people by name (any case), and the first name that matches nobody. */
export async function peopleByName(sql: Sql, names: string[]): Promise<{ ids: string[]; unknown: string | null }> {
  const wanted = [...new Set(names.map((n) => n.toLowerCase()))];
  const rows = await sql<{ id: string; lname: string }[]>`
    SELECT id::text, lower(name) AS lname FROM users WHERE lower(name) = ANY(${wanted}) AND deactivated_at IS NULL`;
  const found = new Set(rows.map((r) => r.lname));
  return { ids: rows.map((r) => r.id), unknown: names.find((n) => !found.has(n.toLowerCase())) ?? null };
}

export interface NewRoom { title: string; topic: string; kind: 'open' | 'closed'; members: string[] }

/** Any member may create an open or closed room; they are in the closed rooms they create. */
export async function createRoom(sql: Sql, creator: Reader, room: NewRoom): Promise<{ ok: true; id: number; slug: string } | Refusal> {
  const people = await peopleByName(sql, room.members);
  if (people.unknown) return { ok: false, reason: 'unknown_person', message: `Nobody is called "${people.unknown}".` };
  return sql.begin(async (tx) => {
    for (let attempt = 0; ; attempt++) {
      const slug = attempt === 0 ? slugify(room.title) : `${slugify(room.title).slice(0, 27)}-${randomBytes(2).toString('hex')}`;
      const [row] = await tx<{ id: number }[]>`
        INSERT INTO rooms (slug, title, topic, kind, created_by) VALUES (${slug}, ${room.title}, ${room.topic}, ${room.kind}, ${creator.id})
        ON CONFLICT (slug) DO NOTHING RETURNING id`;
      if (!row) continue;
      if (room.kind === 'closed') {
        const ids = [...new Set([creator.id, ...people.ids])];
        await tx`INSERT INTO room_members (room_id, user_id) SELECT ${row.id}, unnest(${ids}::bigint[])`;
      }
      return { ok: true as const, id: row.id, slug };
    }
  });
}

/** What a person may do to a room: the functions below enforce it, the settings page shows it as forms. */
export function allowed(actor: Reader, room: Room) {
  const admin = actor.role === 'admin';
  const creator = room.createdBy === actor.id;
  const member = room.members.has(actor.id);
  return {
    add: room.kind === 'closed' && member,
    leave: room.kind === 'closed' && member,
    removeOthers: room.kind === 'closed' && (admin || creator),
    rename: room.kind !== 'direct' && (admin || creator),
    administer: room.kind !== 'direct' && admin,
  };
}

/** Members of a closed room add people to it. */
export async function addMember(sql: Sql, actor: Reader, room: Room, name: string): Promise<{ ok: true } | Refusal> {
  if (room.kind !== 'closed') return { ok: false, reason: 'not_allowed', message: 'People are added to closed rooms only.' };
  // A public closed room is readable by everyone signed in; only its members add people.
  if (!allowed(actor, room).add) return { ok: false, reason: 'not_allowed', message: 'People are added to a closed room by its members.' };
  const people = await peopleByName(sql, [name]);
  if (people.unknown) return { ok: false, reason: 'unknown_person', message: `Nobody is called "${name}".` };
  await sql`INSERT INTO room_members (room_id, user_id) VALUES (${room.id}, ${people.ids[0]!}) ON CONFLICT DO NOTHING`;
  return { ok: true };
}

/** The room's creator or an admin removes anyone from a closed room; a member removes themselves. */
export async function removeMember(sql: Sql, actor: Reader, room: Room, name: string): Promise<{ ok: true } | Refusal> {
  if (room.kind !== 'closed') return { ok: false, reason: 'not_allowed', message: 'Only closed rooms have members to remove.' };
  const self = actor.name.toLowerCase() === name.toLowerCase();
  if (!self && !allowed(actor, room).removeOthers) {
    return { ok: false, reason: 'not_allowed', message: "Only the room's creator or an admin removes other people." };
  }
  const [row] = await sql<{ user_id: string }[]>`
    DELETE FROM room_members WHERE room_id = ${room.id} AND user_id = (SELECT id FROM users WHERE lower(name) = lower(${name}))
    RETURNING user_id::text`;
  if (!row) return { ok: false, reason: 'unknown_person', message: `"${name}" is not in this room.` };
  return { ok: true };
}

/** The direct room of exactly these people, found or created. */
export async function directRoom(sql: Sql, caller: Reader, names: string[]): Promise<{ ok: true; id: number; slug: string; created: boolean } | Refusal> {
  const people = await peopleByName(sql, names);
  if (people.unknown) return { ok: false, reason: 'unknown_person', message: `Nobody is called "${people.unknown}".` };
  const ids = [...new Set([caller.id, ...people.ids])].sort((a, b) => Number(BigInt(a) - BigInt(b)));
  if (ids.length < 2) return { ok: false, reason: 'bad_input', message: 'A direct conversation needs at least one other person.' };
  const key = ids.join(',');
  return sql.begin(async (tx) => {
    const slug = `dm-${randomBytes(5).toString('hex')}`;
    const title = 'Direct message';
    const [made] = await tx<{ id: number }[]>`
      INSERT INTO rooms (slug, title, kind, direct_key, created_by) VALUES (${slug}, ${title}, 'direct', ${key}, ${caller.id})
      ON CONFLICT (direct_key) DO NOTHING RETURNING id`;
    if (made) {
      await tx`INSERT INTO room_members (room_id, user_id) SELECT ${made.id}, unnest(${ids}::bigint[])`;
      return { ok: true as const, id: made.id, slug, created: true };
    }
    const [found] = await tx<{ id: number; slug: string }[]>`SELECT id, slug FROM rooms WHERE direct_key = ${key}`;
    return { ok: true as const, id: found!.id, slug: found!.slug, created: false };
  });
}

export interface RoomUpdate { title?: string; topic?: string; archived?: boolean; public?: boolean }

/** The creator or an admin renames a room and sets its topic; only admins archive it or make it public. */
export async function updateRoom(sql: Sql, actor: Reader, room: Room, change: RoomUpdate): Promise<{ ok: true } | Refusal> {
  const may = allowed(actor, room);
  if (room.kind === 'direct') return { ok: false, reason: 'not_allowed', message: 'Direct conversations have no settings.' };
  if (!may.rename) return { ok: false, reason: 'not_allowed', message: "Only the room's creator or an admin changes it." };
  if ((change.archived !== undefined || change.public !== undefined) && !may.administer) {
    return { ok: false, reason: 'not_allowed', message: 'Only admins archive rooms or make them public.' };
  }
  // One statement: the update, and a row of the admins' audit trail for each flag it really flips
  // (sql/099_room_audit.sql).
  await sql`
    WITH before AS (SELECT public, archived_at IS NOT NULL AS archived FROM rooms WHERE id = ${room.id}),
    after AS (
      UPDATE rooms SET
        title = coalesce(${change.title ?? null}, title),
        topic = coalesce(${change.topic ?? null}, topic),
        public = coalesce(${change.public ?? null}::boolean, public),
        archived_at = CASE WHEN ${change.archived ?? null}::boolean IS NULL THEN archived_at
                           WHEN ${change.archived ?? null}::boolean THEN coalesce(archived_at, now()) ELSE NULL END
      WHERE id = ${room.id}
      RETURNING public, archived_at IS NOT NULL AS archived)
    INSERT INTO room_audit (room_id, actor_id, change)
    SELECT ${room.id}, ${actor.id}, c FROM before, after, LATERAL (VALUES
      (CASE WHEN after.public AND NOT before.public THEN 'made public' WHEN before.public AND NOT after.public THEN 'made private' END),
      (CASE WHEN after.archived AND NOT before.archived THEN 'archived' WHEN before.archived AND NOT after.archived THEN 'unarchived' END)) v(c)
    WHERE c IS NOT NULL`;
  return { ok: true };
}
