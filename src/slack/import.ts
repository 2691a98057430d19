import type postgres from 'postgres';
import { createReset } from '../accounts/resets.ts';
import type { Sql } from '../db/connect.ts';
import { DUMMY_HASH } from '../accounts/passwords.ts';
import { importChannel } from './channels.ts';
import type { SlackChannel, SlackMessage, SlackUser } from './format.ts';
import { importMessages } from './messages.ts';
import { importPeople } from './people.ts';
import { openSlackZip } from './zip.ts';

export interface SlackSummary {
  people: number;
  rooms: number;
  messages: number;
  reactions: number;
  /** The primary owner's one-use link (a password reset) while their account has no password yet. */
  ownerLink: { name: string; url: string } | null;
}

const BOT = 'slack-bot';

/**
 * Imports a Slack workspace export zip (as its owner): people, channels and their messages. Every
 * step looks up what an earlier run brought in (sql/080_slack_imports.sql), so a second run of the
 * same export adds nothing, and a later, bigger export adds only what is new.
 */
export async function importSlack(sql: Sql, file: string, origin: string): Promise<SlackSummary> {
  const zip = await openSlackZip(file);
  try {
    const users = (await zip.json<SlackUser[]>('users.json')) ?? [];
    const publicChannels = await zip.json<SlackChannel[]>('channels.json');
    if (!publicChannels) throw new Error('not a Slack export: channels.json is missing');
    const privateChannels = (await zip.json<SlackChannel[]>('groups.json')) ?? [];
    const summary: SlackSummary = { people: 0, rooms: 0, messages: 0, reactions: 0, ownerLink: null };

    const { ids, names, added } = await sql.begin((tx) => importPeople(tx, users));
    summary.people = added;
    const ctx = { people: ids, names, origin, botUser };
    const channels = [...publicChannels.map((c) => ({ c, closed: false })), ...privateChannels.map((c) => ({ c, closed: true }))];
    for (const { c, closed } of channels) {
      const { room, made } = await sql.begin((tx) => importChannel(tx, c, closed, ids));
      if (made) summary.rooms++;
      const days = zip.names.filter((n) => n.startsWith(`${c.name}/`) && n.endsWith('.json')).sort();
      const messages: SlackMessage[] = [];
      for (const day of days) messages.push(...((await zip.json<SlackMessage[]>(day)) ?? []));
      const done = await importMessages(sql, c.id, room, messages, ctx);
      summary.messages += done.added;
      summary.reactions += done.reactions;
    }

    const owner = users.find((u) => u.is_primary_owner) ?? users.find((u) => u.is_owner);
    const ownerId = owner && ids.get(owner.id);
    if (ownerId) {
      const [row] = await sql<{ name: string; unclaimed: boolean }[]>`SELECT name, password_hash = ${DUMMY_HASH} AS unclaimed FROM users WHERE id = ${ownerId}`;
      if (row?.unclaimed) {
        const code = await createReset(sql, row.name, ownerId);
        summary.ownerLink = { name: row.name, url: `${origin}/reset/${code}` };
      }
    }
    return summary;
  } finally {
    zip.close();
  }
}

/** The account that speaks for bots and integrations, made when first needed. */
async function botUser(sql: Sql | postgres.TransactionSql): Promise<string> {
  const [row] = await sql<{ id: string }[]>`
    WITH made AS (
      INSERT INTO users (name, password_hash, role) SELECT ${BOT}, ${DUMMY_HASH}, 'member'
      WHERE NOT EXISTS (SELECT FROM users WHERE lower(name) = ${BOT}) RETURNING id)
    SELECT id FROM made UNION ALL SELECT id FROM users WHERE lower(name) = ${BOT}`;
  return row!.id;
}
