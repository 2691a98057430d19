import type { Deps } from '../deps.ts';
import type { Ctx } from '../context.ts';
import { encodeCursor } from '../../sync/cursor.ts';
import { roomsWithUnread } from '../../unread/counts.ts';

/** What the forms on the room list send back when they are refused: the message and the draft. */
export interface ListForm {
  error?: string;
  /** Which form failed: the new-room form or the message-someone form. */
  form?: 'room' | 'direct';
  title?: string;
  topic?: string;
  kind?: string;
  members?: string;
  names?: string;
}

/** The room list (GET /): the caller's rooms and direct messages, with the new-room and message-someone forms. */
export async function renderRoomList(c: Ctx, deps: Pick<Deps, 'rooms' | 'sql' | 'hub'>, status = 200, form: ListForm = {}) {
  const me = c.get('user') ?? null;
  // The page's stream starts where this replica stood before counting: what is counted comes once.
  const cursor = encodeCursor(deps.hub.head);
  return c.render('rooms', { title: 'Rooms', rooms: await roomsWithUnread(deps.sql, deps.rooms, me), form, cursor }, status);
}
