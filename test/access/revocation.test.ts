import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';
import { eventually, openStream, postJson, signIn } from '../support/client.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('losing access ends what is already open, on every replica', () => {
  let a: Replica;
  let b: Replica;
  let admin: string;
  let owner: string;
  beforeAll(async () => {
    const db = await freshDatabase();
    [a, b] = await Promise.all([startReplica(db, { rateLimitMessages: null }), startReplica(db, { rateLimitMessages: null })]);
    admin = await signIn(a.url, `boss_${process.pid}`);
    owner = await signIn(a.url, `owner_${process.pid}`);
  });
  afterAll(() => Promise.all([a?.close(), b?.close()]));

  const call = (cookie: string, method: string, path: string, body?: unknown) =>
    fetch(`${a.url}${path}`, { method, headers: { 'content-type': 'application/json', cookie }, body: body === undefined ? undefined : JSON.stringify(body) });

  it('a member removed on replica A stops receiving on replica B at once, and the stream ends within 2 s', async () => {
    const name = `leaver_${process.pid}`;
    const cookie = await signIn(a.url, name);
    expect((await call(owner, 'POST', '/api/rooms', { title: 'Launch', kind: 'closed', members: [name] })).status).toBe(201);
    // B learns of the new room from its next poll.
    await eventually(() => b.chat.rooms.get('launch')?.members.size, (n) => n === 2);
    const stream = await openStream(b.url, 'launch', { cookie });
    expect(stream.status).toBe(200);
    await postJson(a.url, owner, 'launch', 'before removal');
    await stream.waitFor(1);
    const removedAt = Date.now();
    expect((await call(owner, 'DELETE', `/api/rooms/launch/members/${name}`)).status).toBe(204);
    await postJson(a.url, owner, 'launch', 'after removal');
    await stream.ended;
    const endedAfter = Date.now() - removedAt;
    console.log(`stream of a removed member ended ${endedAfter} ms after the removal`);
    expect(endedAfter).toBeLessThan(2000);
    expect(stream.events.map((e) => e.message.body)).toEqual(['before removal']);
    expect((await openStream(b.url, 'launch', { cookie })).status).toBe(404);
  });

  it('deactivation ends the person’s open streams on every replica and their next request is 401', async () => {
    const name = `gone_${process.pid}`;
    const cookie = await signIn(a.url, name);
    const streams = await Promise.all([openStream(a.url, 'general', { cookie }), openStream(b.url, 'general', { cookie })]);
    const started = Date.now();
    expect((await call(admin, 'POST', `/api/users/${name}/deactivate`)).status).toBe(204);
    await Promise.all(streams.map((s) => s.ended));
    console.log(`streams of a deactivated person ended within ${Date.now() - started} ms`);
    expect(Date.now() - started).toBeLessThan(2000);
    for (const r of [a, b]) {
      expect((await fetch(`${r.url}/api/rooms`, { headers: { cookie } })).status).toBe(401);
      expect((await postJson(r.url, cookie, 'general', 'still here?')).status).toBe(401);
    }
  });

  it('a room inserted by hand is served by every replica within a poll interval or two', async () => {
    await a.sql`INSERT INTO rooms (slug, title) VALUES ('by-hand', 'By hand')`;
    await sleep(250);
    for (const r of [a, b]) expect((await fetch(`${r.url}/rooms/by-hand`, { headers: { cookie: owner } })).status).toBe(200);
  });
});
