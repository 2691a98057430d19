import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { Hono } from 'hono';
import type { AppEnv, Deps } from '../http/context.ts';
import { HttpError } from '../http/errors.ts';
import { cursorParam } from '../messages/routes.ts';

export function streamRoutes(deps: Deps) {
  return new Hono<AppEnv>().get('/rooms/:slug/events', async (c) => {
    const slug = c.req.param('slug');
    if (!deps.rooms.get(slug)) throw new HttpError(404, `There is no room called "${slug}".`);
    const after = cursorParam(c.req.header('last-event-id') || c.req.query('after') || undefined, 'Last-Event-ID or after');
    await deps.streams.serve(c.env.outgoing, slug, after, { 'x-replica': deps.config.replicaName, 'x-content-type-options': 'nosniff' });
    // The response was written straight to the socket: tell the adapter not to send another.
    return RESPONSE_ALREADY_SENT;
  });
}
