import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';
import { openStream, postJson, signIn, type EventStream } from '../support/client.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Issue 19: a reader reconnecting 48 messages behind got 369 edit events (each the whole 80 KB
// message) and 1,745 room events, and the cap counted messages only. A catch-up now carries the
// latest state of each message once, from memory and from the database, and changes count toward
// STREAM_CATCH_UP_MAX once coalesced.
describe('catch-up coalesces changes and counts them toward the cap', () => {
  let memory: Replica;
  let database: Replica;
  let tight: Replica;
  let cookie: string;
  beforeAll(async () => {
    const db = await freshDatabase();
    [memory, database, tight] = await Promise.all([
      // Edits and reactions well past their budgets: this test is about the stream, not the limits.
      startReplica(db, { rateLimitMessages: null, rateLimitEdits: null, rateLimitReactions: null }),
      // A feed of 2: every catch-up below reads the database.
      startReplica(db, { rateLimitMessages: null, feedCapacity: 2 }),
      startReplica(db, { rateLimitMessages: null, feedCapacity: 2, catchUpMax: 6 }),
    ]);
    cookie = await signIn(memory.url, 'editor');
  });
  afterAll(() => Promise.all([memory?.close(), database?.close(), tight?.close()]));

  const post = async (body: string) => ((await (await postJson(memory.url, cookie, 'general', body)).json()) as { message: { id: string; cursor: string } }).message;
  const call = (method: string, path: string, body: unknown) =>
    fetch(`${memory.url}${path}`, { method, headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify(body) });
  /** Everything a resumed stream sends until it has been quiet for a moment. */
  const drain = async (s: EventStream) => {
    // Quiet counts from the first event: on a busy machine a stream may take longer than the quiet
    // moment to open (the full suite once read nothing at all).
    for (const until = Date.now() + 10_000; s.events.length === 0 && Date.now() < until;) await sleep(50);
    for (let seen = -1; seen !== s.events.length; await sleep(400)) seen = s.events.length;
    s.close();
    return s.events;
  };

  it('sends one edit and one reaction change for a message edited 30 times and reacted to 21 times, from memory and from the database', async () => {
    const before = await post('the marker');
    const target = await post('draft 0');
    for (let i = 1; i <= 30; i++) expect((await call('PATCH', `/api/rooms/general/messages/${target.id}`, { body: `draft ${i}` })).status).toBe(200);
    for (let i = 0; i < 21; i++) expect((await call('POST', `/api/rooms/general/messages/${target.id}/reactions`, { emoji: '👀' })).status).toBe(200);
    await post('after the edits');
    await sleep(300);
    for (const r of [memory, database]) {
      const events = await drain(await openStream(r.url, 'general', { cookie, after: before.cursor }));
      const kinds = events.map((e) => e.event);
      expect(kinds.filter((k) => k === 'edit').length, r.chat.config?.replicaName).toBeLessThanOrEqual(1);
      expect(kinds.filter((k) => k === 'reaction').length).toBeLessThanOrEqual(1);
      expect(kinds.filter((k) => k === 'message')).toHaveLength(2);
      // Whatever came last about the message says what it is now.
      const latest = events.filter((e) => e.message.id === target.id).at(-1)!;
      if (latest.event !== 'reaction') expect(latest.message.body).toBe('draft 30');
      const reactions = events.filter((e) => e.message.id === target.id && (e.event === 'reaction' || e.event === 'message')).at(-1)!.message.reactions;
      expect(reactions?.['👀']).toEqual(['editor']);
    }
  });

  it('counts coalesced changes toward STREAM_CATCH_UP_MAX: 8 edited messages are too many for a cap of 6, 5 are not', async () => {
    for (const [n, reload] of [[8, true], [5, false]] as const) {
      const olds = [];
      for (let i = 0; i < n; i++) olds.push(await post(`old ${n} ${i}`));
      const from = olds.at(-1)!.cursor;
      // Three edits each: 3n raw changes, n once coalesced; no new messages at all.
      for (const m of olds) for (let k = 1; k <= 3; k++) await call('PATCH', `/api/rooms/general/messages/${m.id}`, { body: `old ${n} edited ${k}` });
      // Every edit polled by the tight replica first: one polled after the stream opens arrives live, uncoalesced.
      await sleep(1500);
      const events = await drain(await openStream(tight.url, 'general', { cookie, after: from }));
      if (reload) expect(events.map((e) => e.event)).toEqual(['reload']);
      else expect(events.map((e) => e.event)).toEqual(Array(n).fill('edit'));
    }
  });
});
