import { Hono } from 'hono';
import type { Deps } from './deps.ts';
import type { AppEnv } from './context.ts';
import { HttpError } from './errors.ts';
import { requireRoom } from './access.ts';

/** POST /api/rooms/<slug>/typing: 204, and the room's streams on every replica hear it (src/typing/typing.ts). */
export function typingRoutes(deps: Pick<Deps, 'sql' | 'rooms' | 'typing'>) {
  const room = requireRoom(deps.sql, deps.rooms);
  return new Hono<AppEnv>().post('/api/rooms/:slug/typing', room, async (c) => {
    const user = c.get('user');
    if (!user) throw new HttpError(401, 'Sign in first.');
    if (c.var.room.archived) throw new HttpError(403, 'This room is archived.');
    await deps.typing.announce(c.var.room.id, user);
    return c.body(null, 204);
  });
}
