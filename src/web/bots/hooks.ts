import { Hono } from 'hono';
import type { Deps } from '../deps.ts';
import type { AppEnv } from '../context.ts';
import { HttpError } from '../errors.ts';
import { cleanBody, postMessage } from '../../messages/post.ts';
import { hookText } from './incoming.ts';
import { botByToken } from '../../bots/store.ts';

const NOT_HERE = 'There is no such hook.';

/**
 * `POST /hooks/<token>/<slug>`: a bot posts with nothing but an URL, for tools that know only
 * Slack's incoming webhooks. Open to callers without a session (the token is the credential);
 * a wrong token and a room the bot may not post in are the same 404.
 */
export function hookRoutes(deps: Deps) {
  const { sql } = deps;
  return new Hono<AppEnv>().post('/hooks/:token/:slug', async (c) => {
    c.set('json', true);
    const bot = await botByToken(sql, c.req.param('token'));
    const room = deps.rooms.get(c.req.param('slug'));
    if (!bot || !room || !deps.rooms.canRead(bot, room)) throw new HttpError(404, NOT_HERE);
    const checked = cleanBody(hookText(c.req.header('content-type'), new Uint8Array(await c.req.arrayBuffer())));
    if (!checked.ok) throw new HttpError(400, checked.message);
    const posted = await postMessage(sql, room.slug, bot, checked.body, deps.config.rateLimitBotMessages);
    if (!posted.ok) {
      if (posted.reason === 'rate_limited') {
        const seconds = Math.ceil(posted.retryAfterMs / 1000);
        throw new HttpError(429, `This bot is posting too fast. Try again in ${seconds} s.`, { 'Retry-After': String(seconds) });
      }
      if (posted.reason === 'archived') throw new HttpError(403, 'This room is archived: it can be read, not posted to.');
      throw new HttpError(404, NOT_HERE);
    }
    deps.metrics.inc('chat_messages_posted_total', 'Messages accepted by this replica');
    deps.notifier.hint();
    return c.text('ok', 200);
  });
}
