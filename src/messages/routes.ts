import { Hono } from 'hono';
import { getCookie } from 'hono/cookie';
import { page, SESSION_COOKIE, type AppEnv, type Deps } from '../http/context.ts';
import { tokenHash } from '../sessions/store.ts';
import { HttpError } from '../http/errors.ts';
import { readInput, textField } from '../http/input.ts';
import { renderRoom } from '../rooms/routes.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { pageAfter, pageBefore } from './history.ts';
import { cleanBody, postMessage } from './post.ts';

/** A cursor from a query or header, or null when absent; 400 when it is not one of ours. */
export function cursorParam(raw: string | undefined, name: string) {
  if (raw === undefined) return null;
  const p = decodeCursor(raw);
  if (!p) throw new HttpError(400, `"${name}" is not a cursor this server handed out.`);
  return p;
}

export function messageRoutes(deps: Deps) {
  return new Hono<AppEnv>()
    .post('/rooms/:slug/messages', async (c) => {
      const slug = c.req.param('slug');
      const input = await readInput(c);
      const signIn = () => {
        if (input.json) throw new HttpError(401, 'Sign in to post.');
        return page(c, deps, 401, 'login', { title: 'Sign in', error: 'Sign in to post.', next: `/rooms/${slug}` });
      };
      const token = getCookie(c, SESSION_COOKIE);
      const session = token ? tokenHash(token) : null;
      if (!session) return signIn();
      try {
        const message = await postMessage(deps.sql, slug, session, cleanBody(textField(input, 'body')), deps.config.rateLimitMessages);
        deps.metrics.inc('chat_messages_posted_total', 'Messages accepted by this replica');
        // Committed: wake every replica's poller, this one's too, with one NOTIFY.
        deps.notifier.hint();
        return input.json ? c.json({ message }, 201) : c.redirect(`/rooms/${slug}`, 303);
      } catch (err) {
        if (err instanceof HttpError && err.status === 401) return signIn();
        // A form post that fails shows the room again with the draft kept and the reason.
        if (input.json || !(err instanceof HttpError) || err.status === 404) throw err;
        err.addHeadersTo(c);
        const draft = typeof input.fields.body === 'string' ? input.fields.body : '';
        return renderRoom(c, deps, slug, err.status, { draft, error: err.message });
      }
    })
    .get('/api/rooms/:slug/messages', async (c) => {
      const slug = c.req.param('slug');
      if (!deps.rooms.get(slug)) throw new HttpError(404, `There is no room called "${slug}".`);
      const after = cursorParam(c.req.query('after'), 'after');
      const before = cursorParam(c.req.query('before'), 'before');
      if (after && before) throw new HttpError(400, 'Give "after" or "before", not both.');
      const rawLimit = c.req.query('limit') ?? '50';
      const limit = Number(rawLimit);
      if (!/^\d+$/.test(rawLimit) || limit < 1 || limit > 500) throw new HttpError(400, '"limit" is a whole number from 1 to 500.');
      if (after) {
        const rows = await pageAfter(deps.sql, slug, after, limit);
        return c.json({ messages: rows.map((r) => r.message), cursor: rows.at(-1)?.message.cursor ?? encodeCursor(after) });
      }
      const head = deps.hub.head;
      const rows = await pageBefore(deps.sql, slug, before, limit);
      // Newest page: the cursor is where to resume with ?after=. Older page: where to continue back.
      const cursor = before ? (rows[0]?.message.cursor ?? null) : (rows.at(-1)?.message.cursor ?? encodeCursor(head));
      return c.json({ messages: rows.map((r) => r.message), cursor });
    });
}
