import type { MiddlewareHandler } from 'hono';
import type { Sql } from '../../db/connect.ts';
import { currentUser, type AppEnv } from '../context.ts';
import { HttpError } from '../errors.ts';
import { signInFirst } from '../members-only.ts';
import type { RoomRegistry } from '../../rooms/registry.ts';

/**
 * Room-scoped routes get the room here, after the access check, as c.var.room. A room the caller
 * may not read answers exactly like one that does not exist; a caller without a session is sent
 * to sign in whether or not the room exists, unless an admin made it public.
 */
export function requireRoom(sql: Sql, rooms: RoomRegistry, opts: { adminsManage?: boolean } = {}): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const slug = c.req.param('slug') ?? '';
    const user = await currentUser(c, sql);
    const room = rooms.get(slug);
    if (room?.public && !user && c.req.method === 'GET') {
      c.set('room', room);
      return next();
    }
    if (!user) return signInFirst(c);
    // Admins manage closed rooms they are not in (rename, archive, remove people), never direct ones.
    const manages = opts.adminsManage === true && user.role === 'admin' && room?.kind !== 'direct';
    if (!room || !(rooms.canRead(user, room) || manages)) throw new HttpError(404, `There is no room called "${slug}".`);
    c.set('room', room);
    return next();
  };
}
