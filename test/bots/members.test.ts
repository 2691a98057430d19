import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';
import { eventually, openStream, signIn } from '../support/client.ts';
import { call, firstAdmin, makeBot, type Made } from './helpers.ts';

describe('a bot is a member that calls the JSON API with a token', () => {
  let a: Replica;
  let b: Replica;
  let admin: string;
  let alice: string;
  let bot: Made;
  beforeAll(async () => {
    const db = await freshDatabase();
    [a, b] = await Promise.all([startReplica(db, { rateLimitMessages: null }), startReplica(db, { rateLimitMessages: null, rateLimitBotMessages: { max: 3, windowMs: 60_000 } })]);
    admin = await firstAdmin(a.url);
    alice = await signIn(a.url, `alice_${process.pid}`);
    bot = await makeBot(a.url, admin, 'ci');
  });
  afterAll(() => Promise.all([a?.close(), b?.close()]));

  it('an admin makes a bot and sees its token and secret once; the database keeps a hash and a sealed secret', async () => {
    expect(bot.bot).toEqual({ name: 'ci', webhookUrl: null });
    expect(bot.token).toMatch(/^bot_[A-Za-z0-9_-]{43}$/);
    expect(bot.webhookSecret).toMatch(/^whsec_/);
    const [row] = await a.sql<{ token_hash: Buffer; webhook_secret_sealed: string }[]>`SELECT token_hash, webhook_secret_sealed FROM bots`;
    expect(row!.token_hash.length).toBe(32);
    expect(row!.webhook_secret_sealed).toMatch(/^v1\./);
    expect(row!.webhook_secret_sealed).not.toContain(bot.webhookSecret.slice(6));
    expect(await a.chat.bots.sealer.open(row!.webhook_secret_sealed)).toBe(bot.webhookSecret);
    const list = await (await call(a.url, { cookie: admin }, 'GET', '/api/bots')).json() as unknown;
    expect(JSON.stringify(list)).not.toContain(bot.token);
    expect(JSON.stringify(list)).not.toContain(bot.webhookSecret);
  });

  it('only admins manage bots, names are unique among people and bots, and bad input is a 400', async () => {
    expect((await call(a.url, { cookie: alice }, 'POST', '/api/bots', { name: 'mine' })).status).toBe(404);
    expect((await call(a.url, { cookie: admin }, 'POST', '/api/bots', { name: 'CI' })).status).toBe(409);
    expect((await call(a.url, { cookie: admin }, 'POST', '/api/bots', { name: `Alice_${process.pid}` })).status).toBe(409);
    expect((await call(a.url, { cookie: admin }, 'POST', '/api/bots', { name: 'no spaces' })).status).toBe(400);
    expect((await call(a.url, { cookie: admin }, 'POST', '/api/bots', { name: 'x', webhookUrl: 42 })).status).toBe(400);
    expect((await call(a.url, { cookie: admin }, 'POST', '/api/bots/nobody/token', {})).status).toBe(404);
    expect((await call(a.url, { cookie: admin }, 'DELETE', '/api/bots/nobody')).status).toBe(404);
  });

  it('a bot posts, reads history, edits, reacts and deletes on any replica, and its messages carry the bot mark', async () => {
    const stream = await openStream(a.url, 'general', { cookie: alice });
    expect((await call(a.url, { cookie: alice }, 'POST', '/rooms/general/messages', { body: 'is the build green?' })).status).toBe(201);
    const posted = await call(b.url, { token: bot.token }, 'POST', '/rooms/general/messages', { body: 'build 41 passed' });
    expect(posted.status).toBe(201);
    const { message } = (await posted.json()) as { message: { id: string; author: string; bot?: boolean } };
    expect(message).toMatchObject({ author: 'ci', bot: true });
    // History shows a message once no older transaction in the cluster is open (sql/013): wait.
    const read = async () => await (await call(a.url, { token: bot.token }, 'GET', '/api/rooms/general/messages')).json() as { messages: { body: string; bot?: boolean }[] };
    const history = await eventually(read, (h) => h.messages.some((m) => m.body === 'build 41 passed'), 5000);
    expect(history.messages.find((m) => m.body === 'build 41 passed')?.bot).toBe(true);
    // A person's message carries no mark at all, in history and on the stream.
    expect(history.messages.find((m) => m.body === 'is the build green?')).not.toHaveProperty('bot');
    await stream.waitFor(2, 5000);
    stream.close();
    const live = stream.events.map((e) => e.message as { body: string; bot?: boolean });
    expect(live.find((m) => m.body === 'build 41 passed')?.bot).toBe(true);
    expect(live.find((m) => m.body === 'is the build green?')).not.toHaveProperty('bot');
    const edited = await call(a.url, { token: bot.token }, 'PATCH', `/api/rooms/general/messages/${message.id}`, { body: 'build 41 passed (edited)' });
    expect(edited.status).toBe(200);
    expect(((await edited.json()) as { message: { bot?: boolean } }).message.bot).toBe(true);
    expect((await call(a.url, { token: bot.token }, 'POST', `/api/rooms/general/messages/${message.id}/reactions`, { emoji: '🚀' })).status).toBe(200);
    const rooms = await (await call(a.url, { token: bot.token }, 'GET', '/api/rooms')).json() as { rooms: { slug: string }[] };
    expect(rooms.rooms.map((r) => r.slug)).toContain('general');
    await eventually(async () => (await call(a.url, { cookie: alice }, 'GET', `/rooms/general/messages/${message.id}`, undefined, { accept: 'text/html' })).text(),
      (html) => html.includes('build 41 passed (edited)'));
    const page = await (await call(a.url, { cookie: alice }, 'GET', `/rooms/general/messages/${message.id}`, undefined, { accept: 'text/html' })).text();
    expect(page).toMatch(/<bdi class="author">ci<\/bdi> <span class="bot-mark"[^>]*>bot<\/span>/);
    expect(page).not.toMatch(new RegExp(`alice_${process.pid}</bdi> <span class="bot-mark"`));
    expect((await call(a.url, { token: bot.token }, 'DELETE', `/api/rooms/general/messages/${message.id}`)).status).toBe(204);
  });

  it('a wrong token is a 401 and a bot reaches no page, form or sign-in', async () => {
    expect((await call(a.url, { token: 'bot_' + 'x'.repeat(43) }, 'GET', '/api/rooms')).status).toBe(401);
    expect((await call(a.url, { token: 'nonsense' }, 'POST', '/rooms/general/messages', { body: 'hi' })).status).toBe(401);
    for (const path of ['/', '/rooms/general', '/admin/bots', '/admin/people', '/users/ci', '/account', '/search?q=x']) {
      const res = await call(a.url, { token: bot.token }, 'GET', path, undefined, { accept: 'text/html' });
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type'), path).toContain('application/json');
    }
    expect((await call(a.url, { token: bot.token }, 'POST', '/api/me/transfer', {})).status).toBe(404);
    expect((await call(a.url, { token: bot.token }, 'POST', '/api/bots', { name: 'other' })).status).toBe(404);
    expect((await call(a.url, { token: bot.token }, 'POST', '/rooms/general/messages/1/delete', {})).status).toBe(404);
    // No password works for a bot, and no reset link is made for one.
    expect((await call(a.url, {}, 'POST', '/session', { name: 'ci', password: 'any password at all' })).status).toBe(401);
    const people = await (await call(a.url, { cookie: admin }, 'GET', '/admin/people', undefined, { accept: 'text/html' })).text();
    expect(people).not.toContain('<th scope="row">ci</th>');
  });

  it('a bot cannot read a closed room it is not in: 404 on every path, until it is added', async () => {
    expect((await call(a.url, { cookie: alice }, 'POST', '/api/rooms', { title: 'Secret plans', kind: 'closed' })).status).toBe(201);
    await eventually(() => Promise.resolve(b.chat.rooms.get('secret-plans')), (r) => r !== undefined);
    const paths: [string, string, unknown?][] = [
      ['GET', '/api/rooms/secret-plans/messages'],
      ['POST', '/rooms/secret-plans/messages', { body: 'hello' }],
      ['GET', '/rooms/secret-plans/events'],
      ['PATCH', '/api/rooms/secret-plans/messages/1', { body: 'x' }],
      ['DELETE', '/api/rooms/secret-plans/messages/1'],
      ['POST', '/api/rooms/secret-plans/messages/1/reactions', { emoji: '👍' }],
      ['POST', '/api/rooms/secret-plans/read', { cursor: 'x' }],
      ['POST', '/api/rooms/secret-plans/members', { name: 'ci' }],
      ['POST', '/api/rooms/secret-plans/typing', {}],
    ];
    for (const replica of [a, b]) {
      for (const [method, path, body] of paths) expect((await call(replica.url, { token: bot.token }, method, path, body)).status, `${method} ${path}`).toBe(404);
    }
    const rooms = await (await call(b.url, { token: bot.token }, 'GET', '/api/rooms')).json() as { rooms: { slug: string }[] };
    expect(rooms.rooms.map((r) => r.slug)).not.toContain('secret-plans');
    const search = await (await call(a.url, { token: bot.token }, 'GET', '/api/search?q=plans&room=secret-plans')).json() as { results?: unknown[] };
    expect(search.results ?? []).toEqual([]);
    expect((await call(a.url, { cookie: alice }, 'POST', '/api/rooms/secret-plans/members', { name: 'ci' })).status).toBe(204);
    await eventually(async () => (await call(b.url, { token: bot.token }, 'POST', '/rooms/secret-plans/messages', { body: 'in now' })).status, (s) => s === 201);
  });

  it('a person opens a direct room with a bot, and the bot can read it', async () => {
    const res = await call(a.url, { cookie: alice }, 'POST', '/api/directs', { names: ['ci'] });
    expect([200, 201]).toContain(res.status);
    const { room } = (await res.json()) as { room: { slug: string } };
    expect((await call(a.url, { cookie: alice }, 'POST', `/rooms/${room.slug}/messages`, { body: 'status?' })).status).toBe(201);
    await eventually(async () => (await call(b.url, { token: bot.token }, 'POST', `/rooms/${room.slug}/messages`, { body: 'all green' })).status, (s) => s === 201);
  });

  it('bots have their own rate limit, counted over all replicas', async () => {
    const counter = await makeBot(a.url, admin, 'counter');
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await call(b.url, { token: counter.token }, 'POST', '/rooms/general/messages', { body: `n${i}` })).status);
    expect(statuses).toEqual([201, 201, 201, 429]);
  });

  it('a bot without credentials (as an import brings it) is listed, and a reset gives it its first token', async () => {
    await makeBot(a.url, admin, 'imported');
    await a.sql`DELETE FROM bots WHERE user_id = (SELECT id FROM users WHERE name = 'imported')`;
    const { bots } = (await (await call(a.url, { cookie: admin }, 'GET', '/api/bots')).json()) as { bots: { name: string }[] };
    expect(bots.map((x) => x.name)).toContain('imported');
    const res = await call(a.url, { cookie: admin }, 'POST', '/api/bots/imported/token', {});
    expect(res.status).toBe(200);
    const { token } = (await res.json()) as Made;
    expect((await call(b.url, { token }, 'GET', '/api/rooms')).status).toBe(200);
  });

  it('a token reset stops the old token on every replica at once; the new one works; deleting ends both', async () => {
    const old = await makeBot(a.url, admin, 'deployer');
    expect((await call(b.url, { token: old.token }, 'GET', '/api/rooms')).status).toBe(200);
    const stream = await fetch(`${b.url}/events`, { headers: { authorization: `Bearer ${old.token}` } });
    expect(stream.status).toBe(200);
    const res = await call(a.url, { cookie: admin }, 'POST', '/api/bots/deployer/token', {});
    expect(res.status).toBe(200);
    const fresh = (await res.json()) as Made;
    expect(fresh.token).not.toBe(old.token);
    expect(fresh.webhookSecret).not.toBe(old.webhookSecret);
    for (const r of [a, b]) {
      expect((await call(r.url, { token: old.token }, 'GET', '/api/rooms')).status).toBe(401);
      expect((await call(r.url, { token: fresh.token }, 'GET', '/api/rooms')).status).toBe(200);
    }
    // The old token's open stream ends within a poll interval (50 ms here), give or take load.
    const started = Date.now();
    await stream.text();
    expect(Date.now() - started).toBeLessThan(2000);
    expect((await call(a.url, { cookie: admin }, 'DELETE', '/api/bots/deployer')).status).toBe(204);
    expect((await call(b.url, { token: fresh.token }, 'GET', '/api/rooms')).status).toBe(401);
    expect((await call(a.url, { cookie: admin }, 'POST', '/api/bots', { name: 'deployer' })).status).toBe(409);
  });
});
