import { Hono } from 'hono';
import type { Deps } from '../deps.ts';
import type { AppEnv, Ctx } from '../context.ts';
import { HttpError } from '../errors.ts';
import { readInput, textField, type Input } from '../input.ts';
import { sessionToken } from '../accounts/cookie.ts';
import { IDLE_DAYS, tokenHash } from '../../accounts/sessions.ts';
import { renderRoom } from '../rooms/room-page.ts';
import { streamsItsBody } from '../body-limit.ts';
import { postAccess, sessionCheckedByPost } from './post-access.ts';
import { cleanBody, postBySession, postMessage } from '../../messages/post.ts';
import { attachmentIds } from '../../files/link.ts';
import { isMultipart, postWithAttachments, readPostForm } from '../files/posting.ts';

function refusal(outcome: { reason: string; retryAfterMs?: number }, room: string): HttpError {
  if (outcome.reason === 'rate_limited') {
    const seconds = Math.ceil((outcome.retryAfterMs ?? 1000) / 1000);
    return new HttpError(429, `You are posting too fast. Try again in ${seconds} s.`, { 'Retry-After': String(seconds) });
  }
  if (outcome.reason === 'archived') return new HttpError(403, 'This room is archived: it can be read, not posted to.');
  return new HttpError(404, `There is no room called "${room}".`);
}

/** POST /rooms/<slug>/messages: a message from a script (JSON) or a form, with or without files. */
export function messageRoutes(deps: Deps) {
  const checkAccess = (c: Ctx) => postAccess(c, deps.sql, deps.rooms);
  const post = async (c: Ctx, input: Input, body: string) => {
    const slug = c.var.room.slug;
    const limit = deps.config.rateLimitMessages;
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
    .post('/rooms/:slug/messages', streamsItsBody(isMultipart), sessionCheckedByPost(deps.sql, deps.rooms), async (c) => {
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
    });
}
