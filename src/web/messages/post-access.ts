import type { MiddlewareHandler } from 'hono';
import type { RoomRegistry } from '../../rooms/registry.ts';
import type { Sql } from '../../db/connect.ts';
import { keepPrivate, requireRoom, roomAccess } from '../access.ts';
import type { AppEnv, Ctx } from '../context.ts';
import { HttpError } from '../errors.ts';
import { isMultipart } from '../files/posting.ts';

/**
 * Access for POST /rooms/<slug>/messages, on that route alone. A JSON or plain form post to a room
 * this replica knows leaves the session check to the post's own statement
 * (post_message_by_session(): one round trip instead of two, Documentation/performance.md); the
 * handler then posts by session, or calls postAccess() first. Anything else (files, a room not
 * known here) is checked as requireRoom() checks it, before the handler runs.
 */
export function sessionCheckedByPost(sql: Sql, rooms: RoomRegistry): MiddlewareHandler<AppEnv> {
  const room = requireRoom(sql, rooms);
  return async function sessionCheckedByPost(c, next) {
    const known = rooms.get(c.req.param('slug') ?? '');
    if (!known || c.get('user') !== undefined || isMultipart(c)) return room(c, next);
    c.set('room', known);
    await next();
    keepPrivate(c);
  };
}

/**
 * The access check a post left to its statement, made now: 401 without a session, 404 for a room
 * the caller may not read. Called before anything but a successful post is answered, so the
 * answers and their order (401, then 404, then the rest) are requireRoom's.
 */
export async function postAccess(c: Ctx, sql: Sql, rooms: RoomRegistry): Promise<void> {
  if (c.get('user') !== undefined) return;
  if (!(await roomAccess(c, sql, rooms))) throw new HttpError(401, 'Sign in first.');
}
