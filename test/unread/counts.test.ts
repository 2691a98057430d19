import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, postJson, signIn } from '../support/client.ts';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';

interface RoomCounts { slug: string; unread: number; mentions: number; level: string }

describe('unread counts and mentions', () => {
  let a: Replica;
  let b: Replica;
  let alice: string;
  let bob: string;
  beforeAll(async () => {
    const db = await freshDatabase();
    [a, b] = await Promise.all([startReplica(db, { rateLimitMessages: null }), startReplica(db, { rateLimitMessages: null })]);
    alice = await signIn(a.url, 'alice');
    bob = await signIn(b.url, 'bob');
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  const counts = async (base: string, cookie: string) => {
    const res = await fetch(`${base}/api/rooms`, { headers: { cookie } });
    expect(res.status).toBe(200);
    const { rooms } = (await res.json()) as { rooms: RoomCounts[] };
    return new Map(rooms.map((r) => [r.slug, r]));
  };
  const read = (base: string, cookie: string, room: string, cursor: unknown) =>
    fetch(`${base}/api/rooms/${room}/read`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ cursor }) });
  const post = async (base: string, cookie: string, room: string, body: string) =>
    ((await (await postJson(base, cookie, room, body)).json()) as { message: { id: string; cursor: string } }).message;

  it('counts what others said since the reader joined, and mentions of the reader apart, in GET /api/rooms', async () => {
    await post(b.url, bob, 'ops', 'deploy at noon');
    await post(b.url, bob, 'ops', 'hey @Alice, can you look? thanks @alice.');
    await post(b.url, bob, 'ops', '@nobody and email@alice.example are no mentions');
    await post(a.url, alice, 'ops', 'my own words are not unread to me, @bob');
    const mine = await counts(a.url, alice);
    expect(mine.get('ops')).toMatchObject({ unread: 3, mentions: 1, level: 'everything' });
    expect(mine.get('general')).toMatchObject({ unread: 0, mentions: 0 });
    expect((await counts(b.url, bob)).get('ops')).toMatchObject({ unread: 1, mentions: 1 });
  });

  it('moves the read mark forward only: an older cursor changes nothing, a bad one is a 400', async () => {
    const first = await post(b.url, bob, 'help', 'one');
    const second = await post(b.url, bob, 'help', 'two @alice');
    await post(b.url, bob, 'help', 'three');
    expect((await read(a.url, alice, 'help', second.cursor)).status).toBe(204);
    expect((await counts(a.url, alice)).get('help')).toMatchObject({ unread: 1, mentions: 0 });
    expect((await read(a.url, alice, 'help', first.cursor)).status).toBe(204);
    expect((await counts(b.url, alice)).get('help')).toMatchObject({ unread: 1, mentions: 0 });
    const [moves] = await a.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM changes c JOIN users u ON u.id = c.user_id WHERE c.kind = 'read' AND u.name = 'alice'`;
    expect(moves!.n).toBe(1);
    expect((await read(a.url, alice, 'help', 'not-a-cursor')).status).toBe(400);
    expect((await read(a.url, alice, 'help', 42)).status).toBe(400);
    expect((await read(a.url, alice, 'no-such-room', second.cursor)).status).toBe(404);
  });

  it('forgets the mentions of a deleted message and replaces those of an edited one', async () => {
    const m = await post(b.url, bob, 'off-topic', 'ping @alice');
    expect((await counts(a.url, alice)).get('off-topic')!.mentions).toBe(1);
    const patch = await fetch(`${b.url}/api/rooms/off-topic/messages/${m.id}`, {
      method: 'PATCH', headers: { cookie: bob, 'content-type': 'application/json' }, body: JSON.stringify({ body: 'never mind' }),
    });
    expect(patch.status).toBe(200);
    expect((await counts(a.url, alice)).get('off-topic')).toMatchObject({ unread: 1, mentions: 0 });
    const m2 = await post(b.url, bob, 'off-topic', 'again @alice');
    expect((await counts(a.url, alice)).get('off-topic')!.mentions).toBe(1);
    expect((await fetch(`${b.url}/api/rooms/off-topic/messages/${m2.id}`, { method: 'DELETE', headers: { cookie: bob, 'content-type': 'application/json' } })).status).toBe(204);
    expect((await counts(a.url, alice)).get('off-topic')).toMatchObject({ unread: 1, mentions: 0 });
  });

  it('keeps a notification level per person and room, and lists the names @ completes to', async () => {
    const put = (level: unknown) => fetch(`${a.url}/api/rooms/general/notifications`, {
      method: 'PUT', headers: { cookie: alice, 'content-type': 'application/json' }, body: JSON.stringify({ level }),
    });
    expect((await put('mentions')).status).toBe(204);
    expect((await put('loud')).status).toBe(400);
    expect((await counts(a.url, alice)).get('general')!.level).toBe('mentions');
    expect((await counts(b.url, bob)).get('general')!.level).toBe('everything');
    const people: unknown = await (await fetch(`${b.url}/api/rooms/general/people`, { headers: { cookie: bob } })).json();
    expect(people).toEqual({ people: ['alice', 'bob'] });
  });

  it('reads a room by viewing its page, and marks where the reader had left off', async () => {
    await post(b.url, bob, 'general', 'before');
    // A page view reads up to the newest *released* message it shows (a held-back one may still
    // have older ones committing before it): wait until 'before' is released, as the history API shows.
    await eventually(() => fetch(`${a.url}/api/rooms/general/messages`, { headers: { cookie: alice } }).then((r) => r.text()), (t) => t.includes('"before"'));
    const page1 = await eventually(() => fetch(`${a.url}/rooms/general`, { headers: { cookie: alice } }).then((r) => r.text()), (t) => t.includes('before'));
    expect(page1).not.toContain('class="new-mark"');
    await post(b.url, bob, 'general', 'after');
    await eventually(() => fetch(`${a.url}/api/rooms/general/messages`, { headers: { cookie: alice } }).then((r) => r.text()), (t) => t.includes('"after"'));
    expect((await counts(a.url, alice)).get('general')!.unread).toBe(1);
    const page2 = await eventually(() => fetch(`${b.url}/rooms/general`, { headers: { cookie: alice } }).then((r) => r.text()), (t) => t.includes('after'));
    expect(page2.indexOf('class="new-mark"')).toBeGreaterThan(page2.indexOf('before'));
    expect(page2.indexOf('class="new-mark"')).toBeLessThan(page2.indexOf('after'));
    expect((await counts(a.url, alice)).get('general')!.unread).toBe(0);
  });

  it('stops counting at 100, which the pages show as 99+, so a long absence costs no more to count', async () => {
    await a.sql`INSERT INTO messages (room_id, author_id, body)
      SELECT (SELECT id FROM rooms WHERE slug = 'ops'), (SELECT id FROM users WHERE name = 'bob'), 'flood ' || g || ' @alice'
      FROM generate_series(1, 150) g`;
    await a.sql`INSERT INTO mentions (message_id, user_id, room_id)
      SELECT m.id, (SELECT id FROM users WHERE name = 'alice'), m.room_id FROM messages m WHERE m.body LIKE 'flood %'`;
    expect((await counts(a.url, alice)).get('ops')).toMatchObject({ unread: 100, mentions: 100 });
    const html = await fetch(`${a.url}/`, { headers: { cookie: alice } }).then((r) => r.text());
    expect(html).toMatch(/data-badges="ops"[^>]*><span class="badge mention"[^>]*>@99\+/);
  });
});
