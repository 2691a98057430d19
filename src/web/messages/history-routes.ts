import { Hono } from 'hono';
import type { Deps } from '../deps.ts';
import type { AppEnv } from '../context.ts';
import { cursorParam } from '../cursor-param.ts';
import { HttpError } from '../errors.ts';
import { requireRoom } from '../access.ts';
import { encodeCursor } from '../../sync/cursor.ts';
import { pageAfter, pageBefore } from '../../messages/history.ts';
import { withAttachments } from '../../files/link.ts';
import { markBot } from './bot-mark.ts';

/** GET /api/rooms/<slug>/messages: a room's history, newest page first, paged by cursor either way; anyone reads a public room's. */
export function historyRoutes(deps: Pick<Deps, 'sql' | 'rooms' | 'hub' | 'bots'>) {
  const shown = markBot(deps.bots.roster);
  const room = requireRoom(deps.sql, deps.rooms, { publicRead: true });
  return new Hono<AppEnv>()
    .get('/api/rooms/:slug/messages', room, async (c) => {
      const slug = c.var.room.slug;
      const after = cursorParam(c.req.query('after'), 'after');
      const before = cursorParam(c.req.query('before'), 'before');
      if (after && before) throw new HttpError(400, 'Give "after" or "before", not both.');
      const rawLimit = c.req.query('limit') ?? '50';
      const limit = Number(rawLimit);
      if (!/^\d+$/.test(rawLimit) || limit < 1 || limit > 500) throw new HttpError(400, '"limit" is a whole number from 1 to 500.');
      if (after) {
        const rows = await pageAfter(deps.sql, slug, after, limit);
        const messages = await withAttachments(deps.sql, rows.map((r) => r.message));
        return c.json({ messages: messages.map(shown), cursor: rows.at(-1)?.message.cursor ?? encodeCursor(after) });
      }
      const head = deps.hub.head;
      const rows = await pageBefore(deps.sql, slug, before, limit);
      // Newest page: the cursor is where to resume with ?after=. Older page: where to continue back.
      const cursor = before ? (rows[0]?.message.cursor ?? null) : (rows.at(-1)?.message.cursor ?? encodeCursor(head));
      return c.json({ messages: (await withAttachments(deps.sql, rows.map((r) => r.message))).map(shown), cursor });
    });
}
