import { Hono } from 'hono';
import type { Deps } from '../deps.ts';
import type { AppEnv, Ctx } from '../context.ts';
import { HttpError } from '../errors.ts';
import { readInput } from '../input.ts';
import { formOrJson } from '../answer.ts';
import { writeBudget } from '../write-budget.ts';
import { renderRoomList } from './list-page.ts';
import { addMember, checkTitle, createRoom, directRoom, removeMember, updateRoom } from '../../rooms/manage.ts';
import { refuse, roomChanged, text } from './outcomes.ts';
import { adminsOnly, requireRoom } from '../access.ts';
import { renderAdminRooms, renderSettings } from './settings-page.ts';
import { notificationLevel } from '../../unread/counts.ts';
import { deleteRoom } from '../../rooms/delete.ts';

type Fields = Record<string, unknown>;
type Page = (error: string, status: number) => Response | Promise<Response>;

const me = (c: Ctx) => c.get('user')!;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** "alice, bob carol" from a form field: the names, or a 400. */
function nameList(raw: unknown, field: string): string[] {
  if (raw === undefined || raw === '') return [];
  const list = typeof raw === 'string' ? raw.split(/[\s,]+/).filter(Boolean) : null;
  if (!list || list.length > 100 || list.some((n) => n.length > 32)) throw new HttpError(400, `"${field}" is a list of names, separated by commas or spaces.`);
  return list;
}

function flag(raw: unknown, field: string): boolean | undefined {
  if (raw === undefined) return undefined;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  throw new HttpError(400, `"${field}" is true or false.`);
}

const NOTICES: Record<string, (name: string) => string> = {
  added: (name) => `${name} is in this room now.`,
  removed: (name) => `${name} is no longer in this room.`,
  saved: () => 'Saved.',
};

const ADMIN_NOTICES: Record<string, string> = { saved: 'Saved.', deleted: 'The room is deleted, with everything written in it.' };

/**
 * The room-management forms, for browsers with or without JavaScript: each posts, then 303s back
 * to the room or its settings page; a refusal re-renders the form's page with the message. The
 * rules are manage.ts's, as for the JSON API.
 */
export function roomFormRoutes(deps: Pick<Deps, 'sql' | 'rooms' | 'hub' | 'notifier' | 'config'>) {
  const { sql, rooms } = deps;
  const changed = roomChanged(deps);
  const room = requireRoom(sql, rooms);
  const newRooms = writeBudget(sql, 'room', deps.config.rateLimitRooms, 'new rooms');
  const manage = requireRoom(sql, rooms, { adminsManage: true });
  const admins = adminsOnly(sql);
  const settingsOf = (c: Ctx) => `/rooms/${encodeURIComponent(c.var.room.slug)}/settings`;
  const notice = (c: Ctx) => {
    const [done, name] = [c.req.query('done') ?? '', c.req.query('name') ?? ''];
    return NOTICES[done]?.(name);
  };

  const update = async (c: Ctx, fields: Fields, back: string, page: Page) =>
    formOrJson(c, false, async () => {
      const done = await updateRoom(sql, me(c), c.var.room, {
        title: fields.title === undefined ? undefined : text(checkTitle(fields.title)),
        topic: fields.topic === undefined ? undefined : text(checkTitle(fields.topic, 'topic', 200, 0)),
        archived: flag(fields.archived, 'archived'),
        public: flag(fields.public, 'public'),
      });
      if (!done.ok) refuse(done);
      await changed(c.var.room.id);
      return c.redirect(back, 303);
    }, page);

  return new Hono<AppEnv>()
    .post('/rooms', newRooms, async (c) => {
      const { fields } = await readInput(c);
      const draft = { form: 'room' as const, title: str(fields.title), topic: str(fields.topic), kind: str(fields.kind), members: str(fields.members) };
      return formOrJson(c, false, async () => {
        const kind = fields.kind ?? 'open';
        if (kind !== 'open' && kind !== 'closed') throw new HttpError(400, 'A room is open or closed.');
        const made = await createRoom(sql, me(c), {
          title: text(checkTitle(fields.title)),
          topic: fields.topic === undefined ? '' : text(checkTitle(fields.topic, 'topic', 200, 0)),
          kind,
          members: nameList(fields.members, 'members'),
        });
        if (!made.ok) refuse(made);
        await changed(made.id);
        return c.redirect(`/rooms/${encodeURIComponent(made.slug)}`, 303);
      }, (error, status) => renderRoomList(c, deps, status, { ...draft, error }));
    })
    .post('/directs', async (c) => {
      const { fields } = await readInput(c);
      return formOrJson(c, false, async () => {
        const found = await directRoom(sql, me(c), nameList(fields.names, 'names'));
        if (!found.ok) refuse(found);
        if (found.created) await changed(found.id);
        return c.redirect(`/rooms/${encodeURIComponent(found.slug)}`, 303);
      }, (error, status) => renderRoomList(c, deps, status, { form: 'direct', names: str(fields.names), error }));
    })
    .get('/rooms/:slug/settings', manage, async (c) => renderSettings(c, 200, { notice: notice(c), level: await notificationLevel(sql, me(c).id, c.var.room.id) }))
    .post('/rooms/:slug/settings', manage, async (c) => {
      const { fields } = await readInput(c);
      const back = `${settingsOf(c)}?done=saved`;
      return update(c, fields, back, (error, status) => renderSettings(c, status, { error, title: str(fields.title), topic: str(fields.topic) }));
    })
    .post('/rooms/:slug/members', room, async (c) => {
      const { fields } = await readInput(c);
      const name = str(fields.name)?.trim() ?? '';
      return formOrJson(c, false, async () => {
        if (!name) throw new HttpError(400, 'Type the name of the person to add.');
        const done = await addMember(sql, me(c), c.var.room, name);
        if (!done.ok) refuse(done);
        await changed(c.var.room.id);
        return c.redirect(`${settingsOf(c)}?done=added&name=${encodeURIComponent(name)}`, 303);
      }, (error, status) => renderSettings(c, status, { error, name }));
    })
    .post('/rooms/:slug/members/:name/remove', manage, async (c) => {
      const name = c.req.param('name');
      return formOrJson(c, false, async () => {
        const done = await removeMember(sql, me(c), c.var.room, name);
        if (!done.ok) refuse(done);
        await changed(c.var.room.id);
        const self = name.toLowerCase() === me(c).name.toLowerCase();
        return c.redirect(self ? '/' : `${settingsOf(c)}?done=removed&name=${encodeURIComponent(name)}`, 303);
      }, (error, status) => renderSettings(c, status, { error }));
    })
    .post('/rooms/:slug/leave', room, (c) =>
      formOrJson(c, false, async () => {
        const done = await removeMember(sql, me(c), c.var.room, me(c).name);
        if (!done.ok) refuse(done);
        await changed(c.var.room.id);
        return c.redirect('/', 303);
      }, (error, status) => renderSettings(c, status, { error })))
    .post('/rooms/:slug/delete', manage, async (c) => {
      const { fields } = await readInput(c);
      return formOrJson(c, false, async () => {
        if (fields.confirm !== 'yes') throw new HttpError(400, 'Tick the box to confirm that everything written in this room goes.');
        const done = await deleteRoom(sql, me(c), c.var.room);
        if (!done.ok) refuse(done);
        await changed(c.var.room.id);
        return c.redirect('/admin/rooms?done=deleted', 303);
      }, (error, status) => renderSettings(c, status, { error }));
    })
    .get('/admin/rooms', admins, (c) => renderAdminRooms(c, deps, 200, { notice: ADMIN_NOTICES[c.req.query('done') ?? ''] }))
    .post('/admin/rooms/:slug', admins, manage, async (c) => {
      const { fields } = await readInput(c);
      return update(c, fields, '/admin/rooms?done=saved', (error, status) => renderAdminRooms(c, deps, status, { error }));
    });
}
