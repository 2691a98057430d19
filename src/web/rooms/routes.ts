import { Hono } from 'hono';
import type { Deps } from '../deps.ts';
import type { AppEnv, Ctx } from '../context.ts';
import { HttpError } from '../errors.ts';
import { readInput } from '../input.ts';
import { writeBudget } from '../write-budget.ts';
import { renderRoomList } from './list-page.ts';
import { addMember, checkTitle, createRoom, directRoom, removeMember, updateRoom } from '../../rooms/manage.ts';
import { refuse, roomChanged, text } from './outcomes.ts';
import { roomView } from '../../rooms/registry.ts';
import { requireRoom } from '../access.ts';
import { roomsWithUnread } from '../../unread/counts.ts';
import { deleteRoom } from '../../rooms/delete.ts';

function names(raw: unknown, field: string): string[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw) || raw.length > 100 || !raw.every((n) => typeof n === 'string' && n.length <= 32)) {
    throw new HttpError(400, `"${field}" must be a list of names.`);
  }
  return raw as string[];
}

const user = (c: Ctx) => c.get('user')!;

export function roomRoutes(deps: Pick<Deps, 'sql' | 'rooms' | 'hub' | 'notifier' | 'config'>) {
  const { sql, rooms } = deps;
  const room = requireRoom(sql, rooms);
  const newRooms = writeBudget(sql, 'room', deps.config.rateLimitRooms, 'new rooms');
  const manage = requireRoom(sql, rooms, { adminsManage: true });
  const changed = roomChanged(deps);
  const json = (c: Ctx, id: number, status: 200 | 201) => c.json({ room: roomView(rooms.byId(id)!, user(c)) }, status);

  return new Hono<AppEnv>()
    .get('/', (c) => renderRoomList(c, deps))
    .get('/api/rooms', async (c) => c.json({ rooms: await roomsWithUnread(sql, rooms, user(c)) }))
    .post('/api/rooms', newRooms, async (c) => {
      const { fields } = await readInput(c);
      const kind = fields.kind ?? 'open';
      if (kind !== 'open' && kind !== 'closed') throw new HttpError(400, '"kind" is "open" or "closed".');
      const made = await createRoom(sql, user(c), {
        title: text(checkTitle(fields.title)),
        topic: fields.topic === undefined ? '' : text(checkTitle(fields.topic, 'topic', 200, 0)),
        kind,
        members: names(fields.members, 'members'),
      });
      if (!made.ok) refuse(made);
      await changed(made.id);
      return json(c, made.id, 201);
    })
    .patch('/api/rooms/:slug', manage, async (c) => {
      const { fields } = await readInput(c);
      const flag = (k: string) => {
        if (fields[k] !== undefined && typeof fields[k] !== 'boolean') throw new HttpError(400, `"${k}" is true or false.`);
        return fields[k];
      };
      const done = await updateRoom(sql, user(c), c.var.room, {
        title: fields.title === undefined ? undefined : text(checkTitle(fields.title)),
        topic: fields.topic === undefined ? undefined : text(checkTitle(fields.topic, 'topic', 200, 0)),
        archived: flag('archived'),
        public: flag('public'),
      });
      if (!done.ok) refuse(done);
      await changed(c.var.room.id);
      return json(c, c.var.room.id, 200);
    })
    .delete('/api/rooms/:slug', manage, async (c) => {
      const done = await deleteRoom(sql, user(c), c.var.room);
      if (!done.ok) refuse(done);
      await changed(c.var.room.id);
      return c.body(null, 204);
    })
    .post('/api/rooms/:slug/members', room, async (c) => {
      const { fields } = await readInput(c);
      if (typeof fields.name !== 'string') throw new HttpError(400, '"name" is missing.');
      const done = await addMember(sql, user(c), c.var.room, fields.name);
      if (!done.ok) refuse(done);
      await changed(c.var.room.id);
      return c.body(null, 204);
    })
    .delete('/api/rooms/:slug/members/:name', manage, async (c) => {
      const done = await removeMember(sql, user(c), c.var.room, c.req.param('name'));
      if (!done.ok) refuse(done);
      await changed(c.var.room.id);
      return c.body(null, 204);
    })
    .post('/api/directs', async (c) => {
      const { fields } = await readInput(c);
      const found = await directRoom(sql, user(c), names(fields.names, 'names'));
      if (!found.ok) refuse(found);
      if (found.created) await changed(found.id);
      return json(c, found.id, found.created ? 201 : 200);
    });
}
