import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IDLE_DAYS, MAX_SESSIONS_PER_USER } from '../../src/accounts/sessions.ts';
import { postJson, signIn } from '../support/client.ts';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';
import { postForm, sessionCookie } from './helpers.ts';

const tokenOf = (cookie: string) => cookie.slice(cookie.indexOf('=') + 1);
const hashOf = (cookie: string) => createHash('sha256').update(tokenOf(cookie)).digest();
const whoAmI = async (base: string, cookie: string) =>
  (await fetch(`${base}/rooms/general`, { headers: { cookie, accept: 'text/html' } }).then((r) => r.text())).includes('/session/end');

describe('sessions', () => {
  let a: Replica;
  let b: Replica;
  beforeAll(async () => {
    const db = await freshDatabase();
    [a, b] = await Promise.all([startReplica(db, { rateLimitMessages: null }), startReplica(db, { rateLimitMessages: null })]);
  });
  afterAll(() => Promise.all([a.close(), b.close()]));

  it('are carried in an HttpOnly, SameSite=Lax cookie for the whole site, not Secure over plain HTTP', async () => {
    await signIn(a.url, 'flags', 'flags password');
    const res = await postForm(a.url, '/session', { name: 'flags', password: 'flags password' }, { origin: a.url });
    const header = res.headers.getSetCookie().find((c) => c.startsWith('chat_session='))!;
    expect(header).toMatch(/; HttpOnly/);
    expect(header).toMatch(/; SameSite=Lax/);
    expect(header).toMatch(/; Path=\//);
    expect(header).not.toMatch(/; Secure/);
    expect(header).not.toMatch(/; Domain=/);
  });

  it('use a fresh 256-bit random token for every sign-in and store only its SHA-256', async () => {
    const cookies = [await signIn(a.url, 'tokens'), await signIn(a.url, 'tokens'), await signIn(b.url, 'tokens')];
    expect(new Set(cookies).size).toBe(3);
    for (const cookie of cookies) {
      expect(Buffer.from(tokenOf(cookie), 'base64url')).toHaveLength(32);
      expect(await a.sql`SELECT 1 FROM sessions WHERE token_hash = ${hashOf(cookie)}`).toHaveLength(1);
    }
  });

  it('replace a cookie planted before sign-in, so an attacker who planted it gains nothing', async () => {
    const planted = await signIn(a.url, 'attacker');
    await signIn(a.url, 'fixation-victim', 'victim password');
    for (const before of [planted, `chat_session=${randomBytes(32).toString('base64url')}`]) {
      const res = await postForm(a.url, '/session', { name: 'fixation-victim', password: 'victim password' }, { origin: a.url, cookie: before });
      expect(res.status).toBe(303);
      const after = sessionCookie(res)!;
      expect(after).not.toBe(before);
      expect(await whoAmI(a.url, after)).toBe(true);
    }
    // The attacker's own session was ended by the victim's sign-in over it.
    expect(await whoAmI(a.url, planted)).toBe(false);
  });

  it('end on every replica when signed out on one: a stolen cookie replayed elsewhere gets 401', async () => {
    const cookie = await signIn(a.url, 'stolen');
    expect((await postJson(b.url, cookie, 'general', 'before sign-out')).status).toBe(201);
    const out = await postForm(a.url, '/session/end', {}, { origin: a.url, cookie });
    expect(out.status).toBe(303);
    expect(out.headers.getSetCookie().join()).toMatch(/chat_session=;.*Max-Age=0/);
    expect((await postJson(b.url, cookie, 'general', 'after sign-out')).status).toBe(401);
    expect((await postJson(a.url, cookie, 'general', 'after sign-out')).status).toBe(401);
    expect(await whoAmI(b.url, cookie)).toBe(false);
  });

  it(`end after ${IDLE_DAYS} idle days, and after their absolute lifetime however busy`, async () => {
    const idle = await signIn(a.url, 'idle');
    await a.sql`UPDATE sessions SET last_seen_at = now() - make_interval(days => ${IDLE_DAYS}, mins => 1) WHERE token_hash = ${hashOf(idle)}`;
    expect((await postJson(b.url, idle, 'general', 'idle')).status).toBe(401);

    const old = await signIn(a.url, 'old');
    await a.sql`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE token_hash = ${hashOf(old)}`;
    expect((await postJson(b.url, old, 'general', 'old')).status).toBe(401);
  });

  it('stay alive while used: a request after some idle days moves the idle deadline', async () => {
    const cookie = await signIn(a.url, 'sliding');
    await a.sql`UPDATE sessions SET last_seen_at = now() - make_interval(days => ${IDLE_DAYS - 1}) WHERE token_hash = ${hashOf(cookie)}`;
    expect((await postJson(b.url, cookie, 'general', 'still here')).status).toBe(201);
    const [row] = await a.sql<{ age: number }[]>`
      SELECT extract(epoch FROM now() - last_seen_at) AS age FROM sessions WHERE token_hash = ${hashOf(cookie)}`;
    expect(Number(row!.age)).toBeLessThan(60);
  });

  it(`are at most ${MAX_SESSIONS_PER_USER} per user: a sign-in loop ends the oldest instead of filling the table`, async () => {
    const cookies: string[] = [];
    for (let i = 0; i < MAX_SESSIONS_PER_USER + 2; i++) cookies.push(await signIn(i % 2 ? a.url : b.url, 'looper'));
    const [{ n }] = (await a.sql`SELECT count(*)::int AS n FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.name = 'looper'`) as unknown as [{ n: number }];
    expect(n).toBe(MAX_SESSIONS_PER_USER);
    expect(await whoAmI(a.url, cookies[0]!)).toBe(false);
    expect(await whoAmI(a.url, cookies.at(-1)!)).toBe(true);
  });
});

describe('sessions behind HTTPS (PUBLIC_ORIGIN https://...)', () => {
  let r: Replica;
  beforeAll(async () => {
    r = await startReplica(await freshDatabase(), { publicOrigin: 'https://chat.example.com' });
  });
  afterAll(() => r.close());

  it('are carried in a Secure cookie with the __Host- prefix, and sign-out clears it as Secure too', async () => {
    const res = await fetch(`${r.url}/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"secure","password":"secure password"}' });
    expect(res.headers.getSetCookie().find((c) => c.startsWith('__Host-chat_session='))).toMatch(/; Secure/);
    const out = await fetch(`${r.url}/session/end`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: sessionCookie(res)! } });
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie().join()).toMatch(/; Secure/);
  });
});
