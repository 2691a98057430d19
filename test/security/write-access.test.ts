import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';
import { postJson, signIn } from '../support/client.ts';

// Issue 19: a closed room an admin made public took posts (201), uploads (201) and reactions (200)
// from non-members, and offered them in @-completion; archived rooms took edits and reactions.
describe('every write path checks who may write, not only who may read', () => {
  let r: Replica;
  let admin: string;
  let member: string;
  let outsider: string;
  let messageId: string;
  beforeAll(async () => {
    r = await startReplica(await freshDatabase(), { rateLimitMessages: null });
    admin = await signIn(r.url, 'boss');
    member = await signIn(r.url, 'insider');
    outsider = await signIn(r.url, 'outsider');
    expect((await call(member, 'POST', '/api/rooms', { title: 'Vault', kind: 'closed', members: [] })).status).toBe(201);
    expect((await call(admin, 'PATCH', '/api/rooms/vault', { public: true })).status).toBe(200);
    const posted = await postJson(r.url, member, 'vault', 'members only below');
    messageId = ((await posted.json()) as { message: { id: string } }).message.id;
  });
  afterAll(() => r?.close());

  const call = (cookie: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${r.url}${path}`, {
      method, redirect: 'manual',
      headers: { 'content-type': 'application/json', accept: 'application/json', cookie, ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });

  const writes = (cookie: string) => ({
    post: () => postJson(r.url, cookie, 'vault', 'sneaking in'),
    'form post': () => fetch(`${r.url}/rooms/vault/messages`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', origin: r.url }, body: 'body=sneaking+in' }),
    'multipart post': () => {
      const form = new FormData();
      form.set('body', 'sneaking in');
      return fetch(`${r.url}/rooms/vault/messages`, { method: 'POST', redirect: 'manual', headers: { cookie, origin: r.url }, body: form });
    },
    upload: () => call(cookie, 'POST', '/rooms/vault/attachments', 'plain text', { 'content-type': 'text/plain', 'x-filename': 'note.txt' }),
    react: () => call(cookie, 'POST', `/api/rooms/vault/messages/${messageId}/reactions`, { emoji: '👍' }),
    'react (form)': () => fetch(`${r.url}/rooms/vault/messages/${messageId}/reactions`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', origin: r.url }, body: 'emoji=%F0%9F%91%8D' }),
    edit: () => call(cookie, 'PATCH', `/api/rooms/vault/messages/${messageId}`, { body: 'rewritten' }),
    'mark read': () => call(cookie, 'POST', '/api/rooms/vault/read', { cursor: 'x' }),
    'add a member': () => call(cookie, 'POST', '/api/rooms/vault/members', { name: 'outsider' }),
  });

  it('refuses every write of a non-member in a public room with 403, and changes nothing', async () => {
    for (const [what, write] of Object.entries(writes(outsider))) {
      const res = await write();
      expect(res.status, what).toBe(403);
    }
    const [{ n }] = (await r.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM messages m JOIN rooms ro ON ro.id = m.room_id WHERE ro.slug = 'vault'`) as unknown as [{ n: number }];
    expect(n).toBe(1);
    const [{ a }] = (await r.sql<{ a: number }[]>`SELECT (SELECT count(*) FROM attachments) + (SELECT count(*) FROM reactions)::int AS a`) as unknown as [{ a: number }];
    expect(Number(a)).toBe(0);
    // Reading is still open to them.
    expect((await call(outsider, 'GET', '/api/rooms/vault/messages')).status).toBe(200);
  });

  it('offers only the room’s people in @-completion, not everyone who may read it', async () => {
    const res = await call(member, 'GET', '/api/rooms/vault/people');
    expect(((await res.json()) as { people: string[] }).people).toEqual(['insider']);
  });

  it('lets the room’s member write as before', async () => {
    expect((await call(member, 'POST', `/api/rooms/vault/messages/${messageId}/reactions`, { emoji: '👍' })).status).toBe(200);
    expect((await call(member, 'PATCH', `/api/rooms/vault/messages/${messageId}`, { body: 'members only, edited' })).status).toBe(200);
  });

  it('refuses edits and reactions in an archived room with 403, as it refuses posts', async () => {
    expect((await call(member, 'POST', '/api/rooms', { title: 'Attic', kind: 'open' })).status).toBe(201);
    const posted = await postJson(r.url, member, 'attic', 'old news');
    const id = ((await posted.json()) as { message: { id: string } }).message.id;
    expect((await call(admin, 'PATCH', '/api/rooms/attic', { archived: true })).status).toBe(200);
    expect((await call(member, 'PATCH', `/api/rooms/attic/messages/${id}`, { body: 'new news' })).status).toBe(403);
    expect((await call(member, 'POST', `/api/rooms/attic/messages/${id}/reactions`, { emoji: '🎉' })).status).toBe(403);
    expect((await postJson(r.url, member, 'attic', 'more')).status).toBe(403);
    const [row] = await r.sql<{ body: string; edited: boolean }[]>`SELECT body, edited_at IS NOT NULL AS edited FROM messages WHERE id = ${id}`;
    expect(row).toEqual({ body: 'old news', edited: false });
  });

  it('takes 10 parallel toggles of one reaction without a 500 and ends in one consistent state', async () => {
    for (const n of [10, 11]) {
      const posted = await postJson(r.url, member, 'general', `toggle me ${n}`);
      const id = ((await posted.json()) as { message: { id: string } }).message.id;
      const answers = await Promise.all(Array.from({ length: n }, () => call(member, 'POST', `/api/rooms/general/messages/${id}/reactions`, { emoji: '🔥' })));
      expect(answers.map((a) => a.status)).toEqual(Array(n).fill(200));
      const [{ count }] = (await r.sql<{ count: number }[]>`SELECT count(*)::int AS count FROM reactions WHERE message_id = ${id}`) as unknown as [{ count: number }];
      // An even number of toggles leaves it off, an odd number on.
      expect(count).toBe(n % 2);
    }
  });
});

describe('the admins’ audit trail of public and archived rooms', () => {
  let r: Replica;
  let admin: string;
  let member: string;
  beforeAll(async () => {
    r = await startReplica(await freshDatabase());
    admin = await signIn(r.url, 'chief');
    member = await signIn(r.url, 'keeper');
  });
  afterAll(() => r?.close());

  const call = (cookie: string, method: string, path: string, body?: unknown) =>
    fetch(`${r.url}${path}`, { method, headers: { 'content-type': 'application/json', accept: 'application/json', cookie }, body: body === undefined ? undefined : JSON.stringify(body) });

  it('records who made a closed room public and private again, which only admins may read', async () => {
    expect((await call(member, 'POST', '/api/rooms', { title: 'Secrets', kind: 'closed' })).status).toBe(201);
    for (const change of [{ public: true }, { public: true }, { public: false }, { archived: true }, { title: 'Renamed' }]) {
      expect((await call(admin, 'PATCH', '/api/rooms/secrets', change)).status).toBe(200);
    }
    const res = await call(admin, 'GET', '/api/admin/room-audit');
    expect(res.status).toBe(200);
    const { entries } = (await res.json()) as { entries: { room: string; by: string; change: string }[] };
    // Newest first; a change that flips nothing leaves no row.
    expect(entries.map((e) => [e.room, e.by, e.change])).toEqual([
      ['secrets', 'chief', 'archived'], ['secrets', 'chief', 'made private'], ['secrets', 'chief', 'made public'],
    ]);
    expect((await call(member, 'GET', '/api/admin/room-audit')).status).toBe(404);
  });
});
