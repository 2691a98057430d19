import { Hono } from 'hono';
import type { Deps } from '../deps.ts';
import type { AppEnv } from '../context.ts';
import { HttpError } from '../errors.ts';
import { PAGE_SIZE, renderRoom } from './room-page.ts';
import { requireRoom } from './scope.ts';
import { locate } from '../../messages/around.ts';

/** Every message has an address: the room page around it, the message highlighted, however old. */
export function permalinkRoutes(deps: Deps) {
  return new Hono<AppEnv>().get('/rooms/:slug/messages/:id', requireRoom(deps.sql, deps.rooms), async (c) => {
    const around = await locate(deps.sql, c.var.room.id, c.req.param('id'), PAGE_SIZE);
    if (!around) throw new HttpError(404, `There is no such message in #${c.var.room.slug}.`);
    return renderRoom(c, deps, 200, {}, around);
  });
}
