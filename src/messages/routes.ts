import { Hono, type MiddlewareHandler } from 'hono';
import type { Deps } from '../deps.ts';
import type { AppEnv, Ctx } from '../http/context.ts';
import { HttpError } from '../http/errors.ts';
import { readInput, textField, type Input } from '../http/input.ts';
import { sessionToken } from '../sessions/cookie.ts';
import { IDLE_DAYS, tokenHash } from '../sessions/store.ts';
import { cursorParam, renderRoom } from '../rooms/page.ts';
import { requireRoom } from '../rooms/scope.ts';
import { encodeCursor } from './cursor.ts';
import { pageAfter, pageBefore } from './history.ts';
import { cleanBody, postBySession, postMessage } from './post.ts';
import { attachmentIds, withAttachments } from '../files/link.ts';
import { isMultipart, postWithAttachments, readPostForm } from '../files/posting.ts';

function refusal(outcome: { reason: string; retryAfterMs?: number }, room: string): HttpError {
  if (outcome.reason === 'rate_limited') {
    const seconds = Math.ceil((outcome.retryAfterMs ?? 1000) / 1000);
    return new HttpError(429, `You are posting too fast. Try again in ${seconds} s.`, { 'Retry-After': String(seconds) });
  }
  if (outcome.reason === 'archived') return new HttpError(403, 'This room is archived: it can be read, not posted to.');
  return new HttpError(404, `There is no room called "${room}".`);
}

export function messageRoutes(deps: Deps) {
  const room = requireRoom(deps.sql, deps.rooms);
  // A post whose session members-only left unchecked (JSON and plain forms) checks it in the post's
  // own statement: one round trip. Anything that fails before that statement, and files, take
  // requireRoom's checks first, so the answers and their order (401, then 404, then the rest) stay.
  const postScope: MiddlewareHandler<AppEnv> = (c, next) => {
    const known = deps.rooms.get(c.req.param('slug') ?? '');
    if (!known || c.get('user') !== undefined || isMultipart(c)) return room(c, next);
    c.set('room', known);
    return next();
  };
  const checkAccess = async (c: Ctx) => {
    if (c.get('user') === undefined) await room(c, async () => {});
  };
  const post = async (c: Ctx, input: Input, body: string) => {
    const slug = c.var.room.slug;
    // Bots have their own setting (RATE_LIMIT_BOT_MESSAGES); they post with Bearer, never a cookie.
    const limit = c.get('user')?.kind === 'bot' ? deps.config.rateLimitBotMessages : deps.config.rateLimitMessages;
    const hashed = tokenHash(sessionToken(c) ?? '');
    if (c.get('user') === undefined && hashed && attachmentIds(input.fields.attachments)?.length === 0) {
      const posted = await postBySession(deps.sql, hashed, IDLE_DAYS, slug, body, limit);
      if (!posted.ok && posted.reason === 'no_session') throw new HttpError(401, 'Sign in first.');
      return posted;
    }
    await checkAccess(c);
    return postWithAttachments(deps.sql, c.get('user')!.id, input, (sql) => postMessage(sql, slug, c.get('user')!, body, limit));
  };
  return new Hono<AppEnv>()
    .post('/rooms/:slug/messages', postScope, async (c) => {
      const slug = c.var.room.slug;
      // A form with a file input streams its files to the database first (src/files/).
      const input = isMultipart(c) ? await readPostForm(c, deps) : await readInput(c).catch(async (err: unknown) => {
        await checkAccess(c);
        throw err;
      });
      try {
        const checked = cleanBody(textField(input, 'body'));
        if (!checked.ok) throw new HttpError(400, checked.message);
        const posted = await post(c, input, checked.body);
        if (!posted.ok) throw refusal(posted, slug);
        deps.metrics.inc('chat_messages_posted_total', 'Messages accepted by this replica');
        // Committed: wake every replica's poller, this one's too, with one NOTIFY.
        deps.notifier.hint();
        return input.json ? c.json({ message: posted.message }, 201) : c.redirect(`/rooms/${slug}`, 303);
      } catch (err) {
        await checkAccess(c);
        // A form post that fails shows the room again with the draft kept and the reason.
        if (input.json || !(err instanceof HttpError) || err.status === 404) throw err;
        err.addHeadersTo(c);
        const draft = typeof input.fields.body === 'string' ? input.fields.body : '';
        return renderRoom(c, deps, err.status, { draft, error: err.message });
      }
    })
    .get('/api/rooms/:slug/messages', room, async (c) => {
      const slug = c.var.room.slug;
      const after = cursorParam(c.req.query('after'), 'after');
      const before = cursorParam(c.req.query('before'), 'before');
      if (after && before) throw new HttpError(400, 'Give "after" or "before", not both.');
      const rawLimit = c.req.query('limit') ?? '50';
      const limit = Number(rawLimit);
      if (!/^\d+$/.test(rawLimit) || limit < 1 || limit > 500) throw new HttpError(400, '"limit" is a whole number from 1 to 500.');
      if (after) {
        const rows = await pageAfter(deps.sql, slug, after, limit);
        const messages = await withAttachments(deps.sql, rows.map((r) => r.message));
        return c.json({ messages, cursor: rows.at(-1)?.message.cursor ?? encodeCursor(after) });
      }
      const head = deps.hub.head;
      const rows = await pageBefore(deps.sql, slug, before, limit);
      // Newest page: the cursor is where to resume with ?after=. Older page: where to continue back.
      const cursor = before ? (rows[0]?.message.cursor ?? null) : (rows.at(-1)?.message.cursor ?? encodeCursor(head));
      return c.json({ messages: await withAttachments(deps.sql, rows.map((r) => r.message)), cursor });
    });
}
