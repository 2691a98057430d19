import type postgres from 'postgres';
import type { SlackChannel } from './format.ts';

type Tx = postgres.TransactionSql;

export interface Room { id: number; slug: string }

const slugOf = (name: string) => name.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+/, '').slice(0, 40) || 'slack';

/**
 * A channel's room, made once (slack_channels). A channel whose name is a room here already
 * (Slack's #general) goes into that room. Private channels become closed rooms of their members.
 */
export async function importChannel(tx: Tx, ch: SlackChannel, closed: boolean, people: Map<string, string>): Promise<{ room: Room; made: boolean }> {
  const [known] = await tx<Room[]>`SELECT r.id, r.slug FROM slack_channels s JOIN rooms r ON r.id = s.room_id WHERE s.slack_id = ${ch.id}`;
  let room = known;
  let made = false;
  if (!room) {
    const slug = slugOf(ch.name);
    [room] = await tx<Room[]>`SELECT id, slug FROM rooms WHERE slug = ${slug} AND kind <> 'direct'`;
    if (!room) {
      const topic = (ch.purpose?.value || ch.topic?.value || '').slice(0, 200);
      [room] = await tx<Room[]>`
        INSERT INTO rooms (slug, title, topic, kind, archived_at)
        VALUES (${slug}, ${ch.name.slice(0, 80)}, ${topic}, ${closed ? 'closed' : 'open'}, ${ch.is_archived ? new Date() : null})
        RETURNING id, slug`;
      made = true;
    }
    await tx`INSERT INTO slack_channels (slack_id, room_id) VALUES (${ch.id}, ${room!.id})`;
  }
  if (closed) {
    for (const member of ch.members ?? []) {
      const user = people.get(member);
      if (user) await tx`INSERT INTO room_members (room_id, user_id) VALUES (${room!.id}, ${user}) ON CONFLICT DO NOTHING`;
    }
  }
  return { room: room!, made };
}
