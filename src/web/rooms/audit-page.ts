import { Hono } from 'hono';
import type { Deps } from '../deps.ts';
import type { AppEnv } from '../context.ts';
import { HttpError } from '../errors.ts';
import { adminsOnly } from '../access.ts';
import { roomAudit } from '../../rooms/audit.ts';

const PAGE = 50;

/**
 * GET /admin/room-audit: the rooms' audit trail as a page for admins (who made which room public or
 * private, archived or deleted it, and when), newest first, 50 a page with a link to older ones.
 * Others get 404, as on every admin page.
 */
export function roomAuditPageRoutes(deps: Pick<Deps, 'sql'>) {
  return new Hono<AppEnv>().get('/admin/room-audit', adminsOnly(deps.sql), async (c) => {
    const before = c.req.query('before') ?? null;
    if (before !== null && !/^[1-9]\d{0,17}$/.test(before)) throw new HttpError(400, '"before" is the id of an entry.');
    const rows = await roomAudit(deps.sql, PAGE + 1, before);
    const entries = rows.slice(0, PAGE).map((e) => ({ ...e, at: new Date(e.at).toISOString() }));
    const older = rows.length > PAGE ? entries.at(-1)!.id : null;
    return c.render('admin-room-audit', { title: 'Room audit trail (admin)', entries, older, first: before === null }, 200);
  });
}
