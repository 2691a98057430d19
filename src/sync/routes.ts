import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { Hono } from 'hono';
import type { AppEnv, Deps } from '../http/context.ts';
import { HttpError } from '../http/errors.ts';
import { decodeCursor } from '../messages/cursor.ts';

export function streamRoutes(deps: Deps) {
  return new Hono<AppEnv>().get('/rooms/:slug/events', async (c) => {
    const slug = c.req.param('slug');
    if (!deps.rooms.get(slug)) throw new HttpError(404, `There is no room called "${slug}".`);
    const raw = c.req.header('last-event-id') || c.req.query('after');
    const after = raw ? decodeCursor(raw) : null;
    if (raw && !after) throw new HttpError(400, 'Last-Event-ID or "after" is not a cursor this server handed out.');
    await deps.streams.serve(c.env.outgoing, slug, after, { 'x-replica': deps.config.replicaName, 'x-content-type-options': 'nosniff' });
    // The response was written straight to the socket: tell the adapter not to send another.
    return RESPONSE_ALREADY_SENT;
  });
}
