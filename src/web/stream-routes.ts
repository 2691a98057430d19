import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { Hono } from 'hono';
import type { Deps } from './deps.ts';
import { clientAddress } from './client-address.ts';
import type { AppEnv, Ctx } from './context.ts';
import { HttpError } from './errors.ts';
import { cursorParam } from './cursor-param.ts';
import { membersOnly, requireRoom } from './access.ts';
import { sessionToken } from './accounts/cookie.ts';
import { findSession } from '../accounts/sessions.ts';

/** A room's event stream (anyone may follow a public room's) and the page's one stream of every room (members). */
export function streamRoutes(deps: Pick<Deps, 'sql' | 'rooms' | 'config' | 'streams' | 'presence'>) {
  // One room's stream, or (roomId null) one stream of every room the caller may read.
  const stream = async (c: Ctx, roomId: number | null) => {
    const after = cursorParam(c.req.header('last-event-id') || c.req.query('after') || undefined, 'Last-Event-ID or after');
    const reader = c.get('user') ?? null;
    const address = clientAddress(c, deps.config.trustProxy);
    const admitted = deps.streams.admit(reader, address);
    if (admitted !== 'ok') {
      throw new HttpError(429, `Too many open streams ${admitted === 'user' ? 'for you' : 'from your address'}; close a tab.`, { 'Retry-After': '30' });
    }
    const token = sessionToken(c);
    // Who is here: a room stream shows its room; the page's every-room stream names it in ?room=.
    const named = roomId === null ? c.req.query('room') : deps.rooms.byId(roomId)?.slug;
    const shows = reader && named && /^[a-z0-9][a-z0-9-]{0,39}$/.test(named) ? named : null;
    if (shows !== null) c.env.outgoing.once('close', deps.presence.enter(reader!.id, shows, c.env.outgoing));
    await deps.streams.serve(c.env.outgoing, {
      roomId,
      reader,
      stillSignedIn: async () => Boolean(token && (await findSession(deps.sql, token))),
      address,
      after,
      headers: { 'x-replica': deps.config.replicaName, 'x-content-type-options': 'nosniff' },
    });
    if (shows !== null) deps.presence.greet(c.env.outgoing, shows, reader!);
    // The response was written straight to the socket: tell the adapter not to send another.
    return RESPONSE_ALREADY_SENT;
  };
  return new Hono<AppEnv>()
    .get('/rooms/:slug/events', requireRoom(deps.sql, deps.rooms, { publicRead: true }), (c) => stream(c, c.var.room.id))
    .get('/events', membersOnly(deps.sql), (c) => stream(c, null));
}
