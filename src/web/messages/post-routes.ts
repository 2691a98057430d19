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
import { cleanBody, postMessage, type PostOutcome } from '../../messages/post.ts';
import { createPostBatcher } from '../../messages/post-batch.ts';
import { formOrJson, refusal } from '../answer.ts';
import { READ_ONLY } from '../access.ts';
import { attachmentIds } from '../../files/link.ts';
import { isMultipart, postWithAttachments, readPostForm } from '../files/posting.ts';
import { markBot } from './bot-mark.ts';

function refused(outcome: PostOutcome & { ok: false }, room: string): HttpError {
  if (outcome.reason === 'rate_limited') {
    const seconds = Math.ceil(outcome.retryAfterMs / 1000);
    return refusal(outcome.reason, `You are posting too fast. Try again in ${seconds} s.`, seconds);
  }
  if (outcome.reason === 'archived') return refusal(outcome.reason, 'This room is archived: it can be read, not posted to.');
  if (outcome.reason === 'read_only') return refusal(outcome.reason, READ_ONLY);
  return refusal(outcome.reason, `There is no room called "${room}".`);
}

/** POST /rooms/<slug>/messages: a message from a script (JSON) or a form, with or without files. */
export function messageRoutes(deps: Pick<Deps, 'sql' | 'rooms' | 'hub' | 'config' | 'metrics' | 'notifier' | 'images' | 'bots'>) {
  const shown = markBot(deps.bots.roster);
  const checkAccess = (c: Ctx) => postAccess(c, deps.sql, deps.rooms);
  // Posts by cookie, the busiest path, go in batches under load (src/messages/post-batch.ts).
  const bySession = createPostBatcher(deps.sql, IDLE_DAYS, deps.config.rateLimitMessages);
  const post = async (c: Ctx, input: Input, body: string) => {
    const slug = c.var.room.slug;
    // Bots have their own setting (RATE_LIMIT_BOT_MESSAGES); they post with Bearer, never a cookie.
    const limit = c.get('user')?.kind === 'bot' ? deps.config.rateLimitBotMessages : deps.config.rateLimitMessages;
    const hashed = tokenHash(sessionToken(c) ?? '');
    if (c.get('user') === undefined && hashed && attachmentIds(input.fields.attachments)?.length === 0) {
      const posted = await bySession.post(hashed, slug, body);
      if (!posted.ok && posted.reason === 'no_session') throw refusal(posted.reason, 'Sign in first.');
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
      const draft = typeof input.fields.body === 'string' ? input.fields.body : '';
      return formOrJson(c, input.json, async () => {
        try {
          const checked = cleanBody(textField(input, 'body'));
          if (!checked.ok) throw new HttpError(400, checked.message);
          const posted = await post(c, input, checked.body);
          if (!posted.ok) throw refused(posted, slug);
          deps.metrics.inc('chat_messages_posted_total', 'Messages accepted by this replica');
          // Committed: wake every replica's poller, this one's too, with one NOTIFY.
          deps.notifier.hint();
          return input.json ? c.json({ message: shown(posted.message) }, 201) : c.redirect(`/rooms/${slug}`, 303);
        } catch (err) {
          // Whatever failed, the access check the post left to its statement answers first.
          await checkAccess(c);
          throw err;
        }
      }, (error, status) => {
        // A form post that fails shows the room again, the draft kept, with the reason; a room
        // one may not read has no page to show.
        if (status === 404) throw new HttpError(404, error);
        return renderRoom(c, deps, status, { draft, error });
      });
    });
}
