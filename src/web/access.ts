import type { MiddlewareHandler } from 'hono';
import type { Sql } from '../db/connect.ts';
import type { Room, RoomRegistry } from '../rooms/registry.ts';
import { currentUser, type Ctx, type AppEnv } from './context.ts';
import { HttpError } from './errors.ts';

/*
 * Who may use a route is declared where it is mounted (src/web/app.ts): open routes are mounted
 * before membersOnly(), every route after it needs a session (deny by default); room-scoped routes
 * add requireRoom(), admin ones adminsOnly().
 */

const READS = new Set(['GET', 'HEAD']);
export const READ_ONLY = 'This room is public to read; only its members write in it.';

/** Where an anonymous caller goes: a browser page to sign-in, everything else a 401. */
export function signInFirst(c: Ctx): Response {
  if (c.req.method === 'GET' && !c.get('json')) {
    const next = c.req.path + (new URL(c.req.url).search);
    return c.redirect(`/login?next=${encodeURIComponent(next)}`, 303);
  }
  throw new HttpError(401, 'Sign in first.');
}

/** What a member is shown is theirs (pages set the same in c.render): no shared cache keeps it. */
export const keepPrivate = (c: Ctx) => {
  if (!c.res.headers.has('cache-control')) c.res.headers.set('Cache-Control', 'private, no-store');
};

/** Members only: a request without a live session gets no further than sign-in. */
export function membersOnly(sql: Sql): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!(await currentUser(c, sql))) return signInFirst(c);
    await next();
    keepPrivate(c);
  };
}

/** Admins only; anyone else is told it is not there. */
export function adminsOnly(sql: Sql): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const user = await currentUser(c, sql);
    if (!user) return signInFirst(c);
    if (user.role !== 'admin') throw new HttpError(404, 'There is nothing at this address.');
    return next();
  };
}

export interface RoomAccess {
  /** Admins manage closed rooms they are not in (rename, archive, remove people), never direct ones. */
  adminsManage?: boolean;
  /** Anyone may GET this if an admin made the room public; mount such a route before membersOnly(). */
  publicRead?: boolean;
}

/**
 * The room of a room-scoped request (:slug), after the access check: null when the caller has no
 * session (and the room is not one they may read without), a 404 thrown when they may not read it.
 * A room the caller may not read answers exactly like one that does not exist.
 */
export async function roomAccess(c: Ctx, sql: Sql, rooms: RoomRegistry, opts: RoomAccess = {}): Promise<Room | null> {
  const slug = c.req.param('slug') ?? '';
  const user = await currentUser(c, sql);
  const room = rooms.get(slug);
  if (opts.publicRead === true && room?.public && !user && c.req.method === 'GET') return room;
  if (!user) return null;
  const manages = opts.adminsManage === true && user.role === 'admin' && room?.kind !== 'direct';
  if (!room || !(rooms.canRead(user, room) || manages)) throw new HttpError(404, `There is no room called "${slug}".`);
  // A room an admin made public is open for reading only: every write path needs the room's own readers.
  if (!READS.has(c.req.method) && !manages && !rooms.canWrite(user, room)) throw new HttpError(403, READ_ONLY);
  return room;
}

/**
 * Room-scoped routes get the room here, after the access check, as c.var.room. A caller without a
 * session is sent to sign in whether or not the room exists, unless the route reads publicly and
 * an admin made the room public.
 */
export function requireRoom(sql: Sql, rooms: RoomRegistry, opts: RoomAccess = {}): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const room = await roomAccess(c, sql, rooms, opts);
    if (!room) return signInFirst(c);
    c.set('room', room);
    await next();
    keepPrivate(c);
  };
}
