import { Hono } from 'hono';
import type { Deps } from './deps.ts';
import type { AppEnv } from './context.ts';
import { requireRoom } from './access.ts';
import { peopleHere } from '../presence/here.ts';

export function presenceRoutes(deps: Pick<Deps, 'sql' | 'rooms'>) {
  return new Hono<AppEnv>()
    .get('/api/rooms/:slug/presence', requireRoom(deps.sql, deps.rooms), async (c) => c.json({ people: await peopleHere(deps.sql, c.var.room.id) }));
}
