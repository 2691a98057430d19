import { Hono } from 'hono';
import type { Deps } from '../deps.ts';
import type { AppEnv, Ctx } from '../context.ts';
import { HttpError } from '../errors.ts';
import { refusal } from '../answer.ts';
import { readInput, textField } from '../input.ts';
import { READ_ONLY, requireRoom } from '../access.ts';
import { deleteMessage, editMessage, findMessage, isEmoji, messageId, toggleReaction, type ChangeOutcome } from '../../messages/changes.ts';
import { cleanBody } from '../../messages/post.ts';
import { writeBudget } from '../write-budget.ts';
import { markBot } from './bot-mark.ts';

/** Edits, deletions and reactions: JSON for scripts and the page's script, forms for browsers without it. */
export function messageChangeRoutes(deps: Pick<Deps, 'sql' | 'rooms' | 'notifier' | 'config' | 'bots'>) {
  const shown = markBot(deps.bots.roster);
  const { sql } = deps;
  const room = requireRoom(sql, deps.rooms);
  const edits = writeBudget(sql, 'edit', deps.config.rateLimitEdits, 'edits');
  const reactions = writeBudget(sql, 'react', deps.config.rateLimitReactions, 'reactions');
  const target = (c: Ctx) => {
    const id = messageId(c.req.param('id') ?? '');
    if (!id) throw new HttpError(404, 'There is no such message.');
    return id;
  };
  const check = (outcome: ChangeOutcome | boolean) => {
    if (outcome === 'unknown' || outcome === false) throw refusal('unknown', 'There is no such message.');
    if (outcome === 'read_only') throw refusal(outcome, READ_ONLY);
    if (outcome === 'archived') throw refusal(outcome, 'This room is archived: it can be read, not changed.');
    if (outcome === 'not_yours') throw refusal(outcome, 'Only its author changes a message (admins may delete any).');
    // Committed: the change reaches every replica through the poll; wake them.
    deps.notifier.hint();
  };
  const edit = async (c: Ctx) => {
    const input = await readInput(c);
    const cleaned = cleanBody(textField(input, 'body'));
    if (!cleaned.ok) throw new HttpError(400, cleaned.message);
    check(await editMessage(sql, c.get('user')!, c.var.room, target(c), cleaned.body));
    return input.json ? c.json({ message: await findMessage(sql, c.var.room, target(c)).then((m) => m && shown(m)) }) : back(c);
  };
  const remove = async (c: Ctx, json: boolean) => {
    check(await deleteMessage(sql, c.get('user')!, c.var.room, target(c)));
    return json ? c.body(null, 204) : c.redirect(`/rooms/${c.var.room.slug}`, 303);
  };
  const react = async (c: Ctx) => {
    const input = await readInput(c);
    if (!isEmoji(input.fields.emoji)) throw new HttpError(400, '"emoji" is one emoji, such as 👍.');
    const done = await toggleReaction(sql, c.get('user')!, c.var.room, target(c), input.fields.emoji);
    check(done.ok || done.outcome);
    return input.json ? c.json({ reactions: done.ok ? done.reactions : {} }) : back(c);
  };
  const back = (c: Ctx) => c.redirect(`/rooms/${c.var.room.slug}/messages/${target(c)}`, 303);

  return new Hono<AppEnv>()
    .patch('/api/rooms/:slug/messages/:id', room, edits, edit)
    .delete('/api/rooms/:slug/messages/:id', room, (c) => remove(c, true))
    .post('/api/rooms/:slug/messages/:id/reactions', room, reactions, react)
    .post('/rooms/:slug/messages/:id/edit', room, edits, edit)
    .post('/rooms/:slug/messages/:id/delete', room, (c) => remove(c, false))
    .post('/rooms/:slug/messages/:id/reactions', room, reactions, react);
}
