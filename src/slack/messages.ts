import type postgres from 'postgres';
import type { Sql } from '../db/connect.ts';
import type { Room } from './channels.ts';
import { emojiOf } from './emoji.ts';
import { SKIPPED_SUBTYPES, type SlackMessage } from './format.ts';
import { slackToMarkdown, tsToIso } from './text.ts';
import { inThreadOrder, isReply } from './thread-order.ts';

const MAX_BODY = 4000;
const PER_TRANSACTION = 500;

export interface Context {
  people: Map<string, string>;
  names: Map<string, string>;
  /** The user id that speaks for messages without a person (bots, integrations). */
  botUser: (tx: postgres.TransactionSql) => Promise<string>;
  origin: string;
}

/**
 * One channel's messages, each once (slack_messages: channel + ts), in thread order (see
 * inThreadOrder): in batches, each one transaction, so within it the ids rise in that order and the
 * stream (tx, id) shows them so. Returns how many were added.
 */
export async function importMessages(sql: Sql, channel: string, room: Room, all: SlackMessage[], ctx: Context): Promise<{ added: number; reactions: number }> {
  const ordered = inThreadOrder(all.filter((m) => m.ts && !SKIPPED_SUBTYPES.has(m.subtype ?? '')));
  const ids = new Map((await sql<{ ts: string; id: string }[]>`
    SELECT ts, message_id AS id FROM slack_messages WHERE channel = ${channel}`).map((r) => [r.ts, r.id]));
  const fresh = ordered.filter((m) => !ids.has(m.ts));
  let reactions = 0;
  for (let i = 0; i < fresh.length; i += PER_TRANSACTION) {
    await sql.begin(async (tx) => {
      for (const m of fresh.slice(i, i + PER_TRANSACTION)) {
        const author = (m.user && ctx.people.get(m.user)) || (await ctx.botUser(tx));
        const body = bodyOf(m, room, ids, ctx);
        const [row] = await tx<{ id: string }[]>`
          INSERT INTO messages (room_id, author_id, body, created_at, edited_at)
          VALUES (${room.id}, ${author}, ${body}, ${tsToIso(m.ts)}, ${m.edited ? tsToIso(m.edited.ts) : null})
          RETURNING id`;
        await tx`INSERT INTO slack_messages (channel, ts, message_id) VALUES (${channel}, ${m.ts}, ${row!.id})`;
        ids.set(m.ts, row!.id);
        reactions += await addReactions(tx, row!.id, m, ctx.people);
      }
    });
  }
  return { added: fresh.length, reactions };
}

function bodyOf(m: SlackMessage, room: Room, ids: Map<string, string>, ctx: Context): string {
  const parts: string[] = [];
  if (isReply(m)) {
    const parent = ids.get(m.thread_ts!);
    parts.push(parent ? `↪ [reply in a thread](${ctx.origin}/rooms/${room.slug}/messages/${parent})` : '↪ reply in a thread');
  }
  const text = slackToMarkdown(m.text ?? '', (id) => ctx.names.get(id)).trim();
  if (text) parts.push(text);
  for (const a of m.attachments ?? []) {
    const extra = slackToMarkdown(a.fallback ?? a.text ?? '', (id) => ctx.names.get(id)).trim();
    if (extra) parts.push(`> ${extra.replace(/\n/g, '\n> ')}`);
  }
  for (const f of m.files ?? []) {
    const url = f.url_private ?? f.permalink;
    const name = (f.name ?? f.title ?? 'file').replace(/[[\]]/g, '');
    parts.push(url && /^https?:\/\//.test(url) ? `📎 [${name}](${url})` : `📎 ${name}`);
  }
  const body = parts.join('\n') || '(empty message)';
  return body.length > MAX_BODY ? `${body.slice(0, MAX_BODY - 1)}…` : body;
}

async function addReactions(tx: postgres.TransactionSql, messageId: string, m: SlackMessage, people: Map<string, string>): Promise<number> {
  let n = 0;
  for (const r of m.reactions ?? []) {
    const emoji = emojiOf(r.name);
    if (!emoji) continue;
    for (const u of r.users) {
      const user = people.get(u);
      if (!user) continue;
      await tx`INSERT INTO reactions (message_id, user_id, emoji) VALUES (${messageId}, ${user}, ${emoji}) ON CONFLICT DO NOTHING`;
      n++;
    }
  }
  return n;
}
