import type { Deps } from '../deps.ts';
import type { Ctx } from '../context.ts';
import { cursorParam } from '../cursor-param.ts';
import { compare, encodeCursor } from '../../sync/cursor.ts';
import type { Around } from '../../messages/around.ts';
import { roomPage } from '../../messages/history.ts';
import { roomView } from '../../rooms/registry.ts';
import { withAttachments } from '../../files/link.ts';
import { hereForPage } from '../../presence/here.ts';
import { markRead, roomsWithUnread } from '../../unread/counts.ts';

export const PAGE_SIZE = 50;

/** The room page (c.var.room): the newest messages, the page before ?before=, or the page around a message, with the post form. */
export async function renderRoom(c: Ctx, deps: Pick<Deps, 'sql' | 'hub' | 'rooms'>, status = 200, form: { draft?: string; error?: string } = {}, around?: Around) {
  const room = c.var.room;
  const user = c.get('user') ?? null;
  const before = around ? around.edge : cursorParam(c.req.query('before'), 'before');
  const head = deps.hub.head;
  const rows = await roomPage(deps.sql, room.slug, before, PAGE_SIZE + 1);
  const more = rows.length > PAGE_SIZE;
  const shown = more ? rows.slice(1) : rows;
  const view = roomView(room, user);
  // Viewing the newest messages reads them; the "New" divider marks where this reader had left off.
  const newest = shown.findLast((r) => r.released);
  // A message's own page reads up to that message (markRead never moves back).
  const linked = around ? shown.find((r) => r.message.id === around.id && r.released) : undefined;
  const upTo = around ? linked : !before ? newest : undefined;
  const read = user && upTo ? await markRead(deps.sql, user.id, room.id, upTo.position) : null;
  const newFrom = read?.before ? (shown.find((r) => compare(r.position, read.before!) > 0 && r.message.author !== user!.name)?.message.id ?? null) : null;
  return c.render('room', {
    title: view.title,
    room: view,
    rooms: await roomsWithUnread(deps.sql, deps.rooms, user),
    newFrom,
    messages: await withAttachments(deps.sql, shown.map((r) => r.message)),
    olderCursor: more ? shown[0]!.message.cursor : null,
    live: !before && !around,
    linkedId: around?.id ?? null,
    newerCursor: around?.newer ? encodeCursor(around.newer) : null,
    canPost: Boolean(user) && !room.archived,
    here: await hereForPage(deps.sql, room.id, user),
    // The tab's one stream (GET /events, every room) starts after the newest released message shown
    // (held-back ones come again and the script skips them) or where this replica stood before the
    // query, whichever is later: nothing of this room is lost (what was still held back then sorts
    // after it), and other rooms' messages already in the sidebar's counts are not counted twice.
    liveCursor: encodeCursor(newest && compare(newest.position, head) > 0 ? newest.position : head),
    ...form,
  }, status);
}
