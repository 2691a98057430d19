import { Hono } from 'hono';
import type { Deps } from '../deps.ts';
import type { AppEnv } from '../http/context.ts';
import { HttpError } from '../http/errors.ts';
import { PAGE_SIZE, renderRoom } from '../rooms/page.ts';
import { requireRoom } from '../rooms/scope.ts';
import { locate } from './around.ts';

/** Every message has an address: the room page around it, the message highlighted, however old. */
export function permalinkRoutes(deps: Deps) {
  return new Hono<AppEnv>().get('/rooms/:slug/messages/:id', requireRoom(deps.sql, deps.rooms), async (c) => {
    const around = await locate(deps.sql, c.var.room.id, c.req.param('id'), PAGE_SIZE);
    if (!around) throw new HttpError(404, `There is no such message in #${c.var.room.slug}.`);
    return renderRoom(c, deps, 200, {}, around);
  });
}
