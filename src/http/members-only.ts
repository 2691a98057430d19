import type { MiddlewareHandler } from 'hono';
import type { Sql } from '../db/connect.ts';
import { currentUser, type Ctx, type AppEnv } from './context.ts';
import { HttpError } from './errors.ts';

// What anyone may reach without a session. Everything else needs one (deny by default).
// hooks/<token>/<slug>: a bot's incoming hook, whose token is its credential (src/bots/hooks.ts).
const OPEN_PATHS = /^\/(login|session|session\/end|users|users\/challenge|join|setup|healthz|readyz|metrics|public\/[^/]+|manifest\.webmanifest|service-worker\.js|offline|icons\/[^/]+|join\/[^/]+|reset\/[^/]+|hooks\/[^/]+\/[^/]+)$/;
// Reading a room an admin made public: requireRoom decides, after it has found the room.
const ROOM_READS = /^\/(rooms\/[^/]+(\/events|\/messages\/[^/]+|\/attachments\/\d+\/[^/]+)?|api\/rooms\/[^/]+\/messages)$/;
// A post (not a multipart one) checks its session in its own statement (src/messages/routes.ts).
const POSTS = /^\/rooms\/[^/]+\/messages$/;
const postChecksItself = (c: Ctx) => c.req.method === 'POST' && POSTS.test(c.req.path) && !/^multipart\//i.test(c.req.header('content-type') ?? '');

/** Where an anonymous caller goes: a browser page to sign-in, everything else a 401. */
export function signInFirst(c: Ctx): Response {
  if (c.req.method === 'GET' && !c.get('json')) {
    const next = c.req.path + (new URL(c.req.url).search);
    return c.redirect(`/login?next=${encodeURIComponent(next)}`, 303);
  }
  throw new HttpError(401, 'Sign in first.');
}

/** Members only: a request without a live session gets no further than sign-in. */
export function membersOnly(sql: Sql): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const path = c.req.path;
    if (OPEN_PATHS.test(path)) return next();
    const later = (c.req.method === 'GET' && ROOM_READS.test(path)) || postChecksItself(c);
    if (!later && !(await currentUser(c, sql))) return signInFirst(c);
    await next();
    // What a member is shown is theirs (pages set the same in c.render): no shared cache keeps it.
    if (!c.res.headers.has('cache-control')) c.res.headers.set('Cache-Control', 'private, no-store');
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
