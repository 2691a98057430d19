import { Hono } from 'hono';
import type { Deps } from './deps.ts';
import type { AppEnv, Ctx } from './context.ts';
import { HttpError } from './errors.ts';
import { readInput } from './input.ts';
import { decodeCursor } from '../sync/cursor.ts';
import { requireRoom } from './access.ts';
import { LEVELS, markRead, peopleOf, setNotificationLevel, type Level } from '../unread/counts.ts';

const isLevel = (v: unknown): v is Level => typeof v === 'string' && (LEVELS as readonly string[]).includes(v);

/** Read marks, notification levels and the names @ completes to. */
export function unreadRoutes(deps: Pick<Deps, 'sql' | 'rooms'>) {
  const { sql } = deps;
  const room = requireRoom(sql, deps.rooms);
  // Reading a public room without a session is allowed; marking it read is not.
  const me = (c: Ctx) => {
    const user = c.get('user');
    if (!user) throw new HttpError(401, 'Sign in first.');
    return user;
  };
  const level = async (c: Ctx) => {
    const user = me(c);
    const input = await readInput(c);
    if (!isLevel(input.fields.level)) throw new HttpError(400, '"level" is "everything", "mentions" or "nothing".');
    await setNotificationLevel(sql, user.id, c.var.room.id, input.fields.level);
    return input.json ? c.body(null, 204) : c.redirect(`/rooms/${c.var.room.slug}/settings?done=saved`, 303);
  };

  return new Hono<AppEnv>()
    .post('/api/rooms/:slug/read', room, async (c) => {
      const user = me(c);
      const { fields } = await readInput(c);
      const to = typeof fields.cursor === 'string' ? decodeCursor(fields.cursor) : null;
      if (!to) throw new HttpError(400, '"cursor" is not a cursor this server handed out.');
      await markRead(sql, user.id, c.var.room.id, to);
      return c.body(null, 204);
    })
    .put('/api/rooms/:slug/notifications', room, level)
    .post('/rooms/:slug/notifications', room, level)
    .get('/api/rooms/:slug/people', room, async (c) => {
      me(c);
      return c.json({ people: await peopleOf(sql, c.var.room.id) });
    });
}
