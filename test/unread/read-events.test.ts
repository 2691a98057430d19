import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, openStream, postJson, signIn, type EventStream } from '../support/client.ts';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';

describe('reading on one replica, seen on another', () => {
  let a: Replica;
  let b: Replica;
  let alice: string;
  let bob: string;
  const streams: EventStream[] = [];
  beforeAll(async () => {
    const db = await freshDatabase();
    // B holds only 2 events per room in memory: resuming there reads the log from the database.
    [a, b] = await Promise.all([startReplica(db, { rateLimitMessages: null }), startReplica(db, { rateLimitMessages: null, feedCapacity: 2 })]);
    alice = await signIn(a.url, 'alice');
    bob = await signIn(b.url, 'bob');
  });
  afterAll(async () => {
    for (const s of streams) s.close();
    await Promise.all([a?.close(), b?.close()]);
  });

  const events = async (base: string, cookie: string) => {
    const s = await openStream(base, '', { cookie, path: '/events' });
    streams.push(s);
    return s;
  };
  const opsCounts = async (base: string, cookie: string) => {
    const { rooms } = (await (await fetch(`${base}/api/rooms`, { headers: { cookie } })).json()) as { rooms: { slug: string; unread: number; mentions: number }[] };
    return rooms.find((r) => r.slug === 'ops')!;
  };

  it('clears the counts seen on B when the person reads on A, and sends the read event only to that person\'s streams', async () => {
    const [aliceOnB, aliceOnA, bobOnB] = [await events(b.url, alice), await events(a.url, alice), await events(b.url, bob)];
    const posted = (await (await postJson(b.url, bob, 'ops', 'incident @alice')).json()) as { message: { cursor: string } };
    await aliceOnB.waitFor(1);
    expect(await opsCounts(b.url, alice)).toMatchObject({ unread: 1, mentions: 1 });

    const read = await fetch(`${a.url}/api/rooms/ops/read`, {
      method: 'POST', headers: { cookie: alice, 'content-type': 'application/json' }, body: JSON.stringify({ cursor: posted.message.cursor }),
    });
    expect(read.status).toBe(204);
    expect(await opsCounts(b.url, alice)).toMatchObject({ unread: 0, mentions: 0 });

    const readEvents = async (s: EventStream) => {
      await s.waitFor(2, 3000).catch(() => {});
      return s.events.filter((e) => e.event === 'read');
    };
    for (const s of [aliceOnB, aliceOnA]) {
      const [ev] = await readEvents(s);
      expect(ev?.message).toEqual({ room: 'ops', cursor: ev!.id });
    }
    // Bob's stream carries the message, never alice's read mark; give it the same time to show one.
    await eventually(() => bobOnB.events.length, (n) => n >= 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(bobOnB.events.map((e) => e.event)).toEqual(['message']);

    // Reading again up to the same place moves nothing and sends nothing.
    await fetch(`${b.url}/api/rooms/ops/read`, {
      method: 'POST', headers: { cookie: alice, 'content-type': 'application/json' }, body: JSON.stringify({ cursor: posted.message.cursor }),
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(aliceOnA.events.filter((e) => e.event === 'read')).toHaveLength(1);
  });

  it('resumes the read mark from the database for a stream that reconnects with Last-Event-ID, from memory on A and from the database on B', async () => {
    await postJson(b.url, bob, 'help', 'warm-up');
    const { cursor: from } = await eventually(
      async () => (await (await fetch(`${a.url}/api/rooms/help/messages`, { headers: { cookie: alice } })).json()) as { cursor: string; messages: unknown[] },
      (p) => p.messages.length === 1,
    );
    const posted = (await (await postJson(a.url, bob, 'help', 'question')).json()) as { message: { cursor: string } };
    const read = await fetch(`${a.url}/api/rooms/help/read`, {
      method: 'POST', headers: { cookie: alice, 'content-type': 'application/json' }, body: JSON.stringify({ cursor: posted.message.cursor }),
    });
    expect(read.status).toBe(204);
    for (const base of [a.url, b.url]) {
      const s = await openStream(base, '', { cookie: alice, path: '/events', lastEventId: from });
      streams.push(s);
      const got = await eventually(() => s.events.filter((e) => e.message.room === 'help').map((e) => e.event), (l) => l.includes('read'), 3000);
      expect(got).toEqual(['message', 'read']);
    }
  });
});
