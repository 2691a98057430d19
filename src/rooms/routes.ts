import { Hono } from 'hono';
import { encodeCursor } from '../messages/cursor.ts';
import { cursorParam } from '../messages/routes.ts';
import { roomPage } from '../messages/history.ts';
import { HttpError } from '../http/errors.ts';
import { currentUser, page, type AppEnv, type Ctx, type Deps } from '../http/context.ts';

export const PAGE_SIZE = 50;

/** The room page: the newest messages, or the page before ?before=, with the post form. */
export async function renderRoom(c: Ctx, deps: Deps, slug: string, status = 200, form: { draft?: string; error?: string } = {}) {
  const room = deps.rooms.get(slug);
  if (!room) throw new HttpError(404, `There is no room called "${slug}".`);
  const before = cursorParam(c.req.query('before'), 'before');
  await currentUser(c, deps.sql);
  const head = deps.hub.head;
  const rows = await roomPage(deps.sql, slug, before, PAGE_SIZE + 1);
  const more = rows.length > PAGE_SIZE;
  const shown = more ? rows.slice(1) : rows;
  return page(c, deps, status, 'room', {
    title: room.title,
    room,
    rooms: deps.rooms.all(),
    messages: shown.map((r) => r.message),
    olderCursor: more ? shown[0]!.message.cursor : null,
    live: !before,
    // The stream starts after the newest released message shown (held-back ones come again and the
    // script skips them), or where this replica stood when the query ran.
    liveCursor: shown.findLast((r) => r.released)?.message.cursor ?? encodeCursor(head),
    ...form,
  });
}

export function roomRoutes(deps: Deps) {
  return new Hono<AppEnv>()
    .get('/', async (c) => {
      await currentUser(c, deps.sql);
      return page(c, deps, 200, 'rooms', { title: 'Rooms', rooms: deps.rooms.all() });
    })
    .get('/rooms/:slug', (c) => renderRoom(c, deps, c.req.param('slug')))
    .get('/api/rooms', (c) => c.json({ rooms: deps.rooms.all() }));
}
