import type { Deps } from '../deps.ts';
import type { Ctx } from '../context.ts';
import { allowed } from '../../rooms/manage.ts';
import { roomView } from '../../rooms/registry.ts';

/** What the settings forms send back when they are refused, or say when they worked. */
export interface SettingsForm { error?: string; notice?: string; name?: string; title?: string; topic?: string; level?: string }

/** The settings and members page of c.var.room. */
export function renderSettings(c: Ctx, status = 200, form: SettingsForm = {}) {
  const room = c.var.room;
  const me = c.get('user')!;
  const may = allowed(me, room);
  const people = [...room.members]
    .map(([id, name]) => ({ name, me: id === me.id, creator: id === room.createdBy, removable: may.removeOthers && id !== me.id }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const view = roomView(room, me);
  return c.render('room-settings', { title: `${view.title}: members and settings`, room: view, people, may, form }, status);
}

/** The admin rooms page: every open and closed room (direct ones are private to their people). */
export function renderAdminRooms(c: Ctx, deps: Pick<Deps, 'rooms'>, status = 200, form: { error?: string; notice?: string } = {}) {
  const me = c.get('user')!;
  const list = deps.rooms.all()
    .filter((r) => r.kind !== 'direct')
    .map((r) => ({ ...roomView(r, me), people: r.kind === 'closed' ? r.members.size : null }));
  return c.render('admin-rooms', { title: 'Rooms (admin)', rooms: list, form }, status);
}
