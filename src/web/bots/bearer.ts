import type { MiddlewareHandler } from 'hono';
import type { Sql } from '../../db/connect.ts';
import type { AppEnv } from '../context.ts';
import { HttpError } from '../errors.ts';
import { botByToken } from '../../bots/store.ts';

// What a bot may call: the JSON API, posting, and the event streams. Never a page or a form, and
// nothing that would hand it a browser session or a push subscription (which belong to sessions).
const BOT_PATHS = /^\/(api\/.*|rooms\/[^/]+\/messages|rooms\/[^/]+\/events|events)$/;
const NOT_FOR_BOTS = /^\/api\/(me\/transfer|push\/|sessions$)/;
const mayCall = (method: string, path: string) =>
  BOT_PATHS.test(path) && !NOT_FOR_BOTS.test(path) && (method !== 'POST' || !/^\/rooms\/[^/]+\/events$/.test(path)) &&
  (!/^\/rooms\/[^/]+\/messages$/.test(path) || method === 'POST');

/**
 * `Authorization: Bearer <token>`: the caller is that bot, whatever cookie it also sends, and its
 * answers are JSON. A wrong token is a 401; a path that is not the JSON API is a 404, as for a
 * page that is not there. Runs before members-only, which then sees a signed-in user.
 */
export function bearerAuth(sql: Sql): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    if (header === undefined || !/^bearer\s/i.test(header)) return next();
    c.set('json', true);
    const bot = await botByToken(sql, header.replace(/^bearer\s+/i, '').trim());
    if (!bot) throw new HttpError(401, 'The token is not valid.', { 'WWW-Authenticate': 'Bearer' });
    if (!mayCall(c.req.method, c.req.path)) throw new HttpError(404, 'There is nothing at this address for a bot.');
    c.set('user', bot);
    return next();
  };
}

/** Bearer calls carry no cookie, so the cross-site check (for cookie sessions) does not apply to them. */
export const isBearer = (authorization: string | undefined) => authorization !== undefined && /^bearer\s/i.test(authorization);
