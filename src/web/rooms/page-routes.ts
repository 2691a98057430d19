import { Hono } from 'hono';
import type { Deps } from '../deps.ts';
import type { AppEnv } from '../context.ts';
import { HttpError } from '../errors.ts';
import { PAGE_SIZE, renderRoom } from './room-page.ts';
import { requireRoom } from '../access.ts';
import { locate } from '../../messages/around.ts';

/**
 * The room page, and every message's address: the room page around it, the message highlighted,
 * however old. Anyone may read a room an admin made public.
 */
export function roomPageRoutes(deps: Pick<Deps, 'sql' | 'rooms' | 'hub'>) {
  const room = requireRoom(deps.sql, deps.rooms, { publicRead: true });
  return new Hono<AppEnv>()
    .get('/rooms/:slug', room, (c) => renderRoom(c, deps))
    .get('/rooms/:slug/messages/:id', room, async (c) => {
      const around = await locate(deps.sql, c.var.room.id, c.req.param('id'), PAGE_SIZE);
      if (!around) throw new HttpError(404, `There is no such message in #${c.var.room.slug}.`);
      return renderRoom(c, deps, 200, {}, around);
    });
}
