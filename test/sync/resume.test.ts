import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';
import { eventually, openStream, postJson, signIn } from '../support/client.ts';

const FEED = 10;

describe('a stream resumed on another replica with Last-Event-ID', () => {
  let a: Replica;
  let b: Replica;
  let cookie: string;
  beforeAll(async () => {
    const db = await freshDatabase();
    // A tiny in-memory feed, so "further back" than memory is easy to reach.
    [a, b] = await Promise.all([startReplica(db, { feedCapacity: FEED, rateLimitMessages: null }), startReplica(db, { feedCapacity: FEED, rateLimitMessages: null })]);
    cookie = await signIn(a.url);
  });
  afterAll(() => Promise.all([a.close(), b.close()]));

  async function postMany(room: string, n: number, tag: string): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const res = await postJson(a.url, cookie, room, `${tag} ${i}`);
      ids.push(((await res.json()) as { message: { id: string } }).message.id);
    }
    return ids;
  }

  it('continues from inside the in-memory window with nothing lost and nothing twice', async () => {
    const first = await openStream(a.url, 'general', { cookie });
    const before = await postMany('general', 3, 'in-window');
    await first.waitFor(3);
    first.close();
    const missed = await postMany('general', 4, 'while away');
    const resumed = await openStream(b.url, 'general', { cookie, lastEventId: first.events.at(-1)!.id });
    const later = await postMany('general', 2, 'after');
    const got = await resumed.waitFor(6);
    await new Promise((r) => setTimeout(r, 200));
    expect(first.events.map((e) => e.message.id)).toEqual(before);
    expect(got.map((e) => e.message.id)).toEqual([...missed, ...later]);
    resumed.close();
  });

  it('continues from further back than memory holds, reading the gap from the database', async () => {
    const first = await openStream(a.url, 'help', { cookie });
    await postMany('help', 1, 'seen');
    await first.waitFor(1);
    first.close();
    const missed = await postMany('help', FEED * 3, 'long away');
    await new Promise((r) => setTimeout(r, 300));
    expect(b.chat.hub.feed('help').items.length).toBeLessThanOrEqual(FEED);
    const resumed = await openStream(b.url, 'help', { cookie, lastEventId: first.events[0]!.id });
    const later = await postMany('help', 2, 'after');
    const got = await resumed.waitFor(missed.length + 2);
    await new Promise((r) => setTimeout(r, 200));
    expect(got.map((e) => e.message.id)).toEqual([...missed, ...later]);
    resumed.close();
  });

  it('also resumes from ?after= when the client cannot send the header', async () => {
    const ids = await postMany('ops', 3, 'query');
    const page = await eventually(
      async () => (await fetch(`${a.url}/api/rooms/ops/messages?limit=3`, { headers: { cookie } }).then((r) => r.json())) as { messages: { id: string; cursor: string }[] },
      (p) => p.messages.at(-1)?.id === ids.at(-1),
    );
    const s = await openStream(b.url, 'ops', { cookie, after: page.messages[0]!.cursor });
    const got = await s.waitFor(2);
    expect(got.map((e) => e.message.id)).toEqual(ids.slice(1));
    s.close();
  });

  it('loses nothing when the feed evicts past a stream while it is still catching up from the database', async () => {
    const start = (await fetch(`${b.url}/api/rooms/off-topic/messages`, { headers: { cookie } }).then((r) => r.json()) as { cursor: string }).cursor;
    const total = 120;
    const writer = postMany('off-topic', total, 'flood');
    // Streams join from the start while the flood runs, so their catch-up races the ring's eviction.
    const streams = [];
    for (let i = 0; i < 4; i++) {
      streams.push(await openStream(b.url, 'off-topic', { cookie, lastEventId: start }));
      await new Promise((r) => setTimeout(r, 40));
    }
    const ids = await writer;
    for (const s of streams) {
      const got = await s.waitFor(total);
      await new Promise((r) => setTimeout(r, 100));
      expect(s.events.map((e) => e.message.id)).toEqual(ids);
      void got;
      s.close();
    }
  });

  it('a replica that starts later holds the newest messages in memory and resumes a stream from them', async () => {
    const ids = await postMany('general', 5, 'before boot');
    const late = await startReplica(b.chat.config.databaseUrl!, { feedCapacity: FEED, rateLimitMessages: null });
    try {
      expect(late.chat.hub.feed('general').items.map((i) => i.message!.id).slice(-5)).toEqual(ids);
      const cursor = late.chat.hub.feed('general').items.at(-5)!.message!.cursor;
      const s = await openStream(late.url, 'general', { cookie, lastEventId: cursor });
      const got = await s.waitFor(4);
      expect(got.map((e) => e.message.id)).toEqual(ids.slice(1));
      s.close();
    } finally {
      await late.close();
    }
  });
});

