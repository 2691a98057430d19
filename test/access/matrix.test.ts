import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';
import { eventually, openStream, postJson, signIn } from '../support/client.ts';

const FEED = 5;
type Who = 'anonymous' | 'non-member' | 'member' | 'removed' | 'deactivated' | 'admin';
const PEOPLE: Who[] = ['anonymous', 'non-member', 'member', 'removed', 'deactivated', 'admin'];

// What each person gets on each path of a closed room. Without a live session a browser page goes
// to sign-in (303) and everything else is 401; a room one may not read is 404, like a missing one.
const EXPECTED: Record<string, Record<Who, number>> = {
  'room page': { anonymous: 303, 'non-member': 404, member: 200, removed: 404, deactivated: 303, admin: 404 },
  'history API': { anonymous: 401, 'non-member': 404, member: 200, removed: 404, deactivated: 401, admin: 404 },
  'room list': { anonymous: 401, 'non-member': 200, member: 200, removed: 200, deactivated: 401, admin: 200 },
  post: { anonymous: 401, 'non-member': 404, member: 201, removed: 404, deactivated: 401, admin: 404 },
  'fresh stream': { anonymous: 401, 'non-member': 404, member: 200, removed: 404, deactivated: 401, admin: 404 },
  'stream resumed from memory': { anonymous: 401, 'non-member': 404, member: 200, removed: 404, deactivated: 401, admin: 404 },
  'stream resumed from the database': { anonymous: 401, 'non-member': 404, member: 200, removed: 404, deactivated: 401, admin: 404 },
};

describe('who may read and post in a closed room, on every path and across replicas', () => {
  let a: Replica;
  let b: Replica;
  const cookies = {} as Record<Who, string>;
  const names = {} as Record<Who, string>;
  let oldCursor = '';
  let recentCursor = '';

  beforeAll(async () => {
    const db = await freshDatabase();
    [a, b] = await Promise.all([
      startReplica(db, { rateLimitMessages: null }),
      startReplica(db, { rateLimitMessages: null, feedCapacity: FEED }),
    ]);
    // The first account of an empty instance is its admin.
    for (const who of ['admin', ...PEOPLE.filter((p) => p !== 'anonymous' && p !== 'admin')] as Who[]) {
      names[who] = `${who.replace('-', '_')}_${process.pid}`;
      cookies[who] = await signIn(a.url, names[who]);
    }
    cookies.anonymous = '';
    const made = await api(a, 'member', 'POST', '/api/rooms', { title: 'Secret plans', kind: 'closed', members: [names.removed, names.deactivated] });
    expect(made.status).toBe(201);
    const ids: string[] = [];
    for (let i = 0; i < FEED * 2; i++) {
      const res = await postJson(a.url, cookies.member, 'secret-plans', `plan ${i}`);
      ids.push(((await res.json()) as { message: { cursor: string } }).message.cursor);
    }
    oldCursor = ids[0]!;
    recentCursor = ids.at(-2)!;
    // Both changes are made on replica A; every check below runs on replica B.
    expect((await api(a, 'member', 'DELETE', `/api/rooms/secret-plans/members/${names.removed}`)).status).toBe(204);
    expect((await api(a, 'admin', 'POST', `/api/users/${names.deactivated}/deactivate`)).status).toBe(204);
    await eventually(() => b.chat.rooms.get('secret-plans')?.members.size, (n) => n === 2);
  });
  afterAll(() => Promise.all([a?.close(), b?.close()]));

  function api(r: Replica, who: Who, method: string, path: string, body?: unknown): Promise<Response> {
    return fetch(`${r.url}${path}`, {
      method,
      redirect: 'manual',
      headers: { 'content-type': 'application/json', ...(cookies[who] ? { cookie: cookies[who] } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  async function stream(who: Who, lastEventId?: string): Promise<number> {
    const s = await openStream(b.url, 'secret-plans', { cookie: cookies[who] || undefined, lastEventId });
    s.close();
    return s.status;
  }

  const paths: Record<string, (who: Who) => Promise<number>> = {
    'room page': async (who) =>
      (await fetch(`${b.url}/rooms/secret-plans`, { redirect: 'manual', headers: { accept: 'text/html', ...(cookies[who] ? { cookie: cookies[who] } : {}) } })).status,
    'history API': async (who) => (await api(b, who, 'GET', '/api/rooms/secret-plans/messages')).status,
    'room list': async (who) => (await api(b, who, 'GET', '/api/rooms')).status,
    post: async (who) => (await postJson(b.url, cookies[who], 'secret-plans', `from ${who}`)).status,
    'fresh stream': (who) => stream(who),
    'stream resumed from memory': (who) => stream(who, recentCursor),
    'stream resumed from the database': (who) => stream(who, oldCursor),
  };

  for (const [path, expected] of Object.entries(EXPECTED)) {
    it(`${path}: every person gets the expected status`, async () => {
      const got = {} as Record<Who, number>;
      for (const who of PEOPLE) got[who] = await paths[path]!(who);
      expect(got).toEqual(expected);
    });
  }

  it('marks personal pages and JSON as private, never stored by a shared cache', async () => {
    for (const path of ['/', '/rooms/secret-plans', '/rooms/general', '/api/rooms', '/api/rooms/secret-plans/messages']) {
      const res = await fetch(`${b.url}${path}`, { headers: { accept: 'text/html', cookie: cookies.member } });
      expect(res.status, path).toBe(200);
      expect(res.headers.get('cache-control'), path).toBe('private, no-store');
    }
  });

  it('lists the closed room only for its members', async () => {
    for (const who of ['non-member', 'member', 'removed', 'admin'] as Who[]) {
      const { rooms } = (await (await api(b, who, 'GET', '/api/rooms')).json()) as { rooms: { slug: string }[] };
      expect(rooms.some((r) => r.slug === 'secret-plans'), who).toBe(who === 'member');
      expect(rooms.some((r) => r.slug === 'general'), who).toBe(true);
    }
  });

  it('a member resumed from the database gets every message after the cursor, once', async () => {
    const s = await openStream(b.url, 'secret-plans', { cookie: cookies.member, lastEventId: oldCursor });
    const got = await s.waitFor(FEED * 2 - 1);
    s.close();
    expect(got.map((e) => e.message.body).slice(0, FEED * 2 - 1)).toEqual(Array.from({ length: FEED * 2 - 1 }, (_, i) => `plan ${i + 1}`));
  });

  it('an admin made public room is readable without an account, but not writable', async () => {
    expect((await api(a, 'admin', 'PATCH', '/api/rooms/general', { public: true })).status).toBe(200);
    await eventually(() => b.chat.rooms.get('general')?.public, (p) => p === true);
    expect((await fetch(`${b.url}/rooms/general`)).status).toBe(200);
    expect((await fetch(`${b.url}/api/rooms/general/messages`)).status).toBe(200);
    const anonymous = await openStream(b.url, 'general');
    anonymous.close();
    expect(anonymous.status).toBe(200);
    expect((await postJson(b.url, '', 'general', 'anonymous words')).status).toBe(401);
    expect((await fetch(`${b.url}/rooms/help`, { redirect: 'manual' })).status).toBe(401);
  });
});
