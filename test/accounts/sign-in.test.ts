import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, sessionCookieOf } from '../support/client.ts';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';
import { devMetrics } from '../../src/dev/cluster.ts';
import { account, get, json, median, signInAs, timed } from './helpers.ts';

describe('signing in', () => {
  let r: Replica;
  beforeAll(async () => {
    // Limits are tested in lockout.test.ts; here 50 wrong passwords in a row must stay 401s.
    // A real hash (2^13, a quarter of the default's work) rather than the test replicas' 2^10, so
    // the times compared below are the hash's, not the HTTP round trip's.
    r = await startReplica(await freshDatabase(), { rateLimitSignin: null, rateLimitSigninName: null, passwordHashCost: 13 });
    await account(r.url, 'owner', 'owner password');
  });
  afterAll(() => r.close());

  it('only signs in: a free name gets 401 and no account', async () => {
    const res = await signInAs(r.url, 'newcomer', 'a good password');
    expect(res.status).toBe(401);
    expect(await r.sql`SELECT 1 FROM users WHERE name = 'newcomer'`).toHaveLength(0);
    const ok = await signInAs(r.url, 'OWNER', 'owner password');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ user: { name: 'owner', role: 'admin' } });
  });

  it('answers a bad shape with 400', async () => {
    expect((await signInAs(r.url, 'bad name!', 'owner password')).status).toBe(400);
    expect((await signInAs(r.url, 'owner', 'short')).status).toBe(400);
    expect((await json(r.url, '/session', { name: 'owner' })).status).toBe(400);
  });

  it('answers an unknown name and a wrong password alike, in about the same time (medians over 50 tries each)', async () => {
    await account(r.url, 'known', 'known password');
    const unknown: number[] = [];
    const wrong: number[] = [];
    const bodies = new Set<string>();
    const statuses = new Set<number>();
    for (let i = 0; i < 50; i++) {
      for (const [times, name] of [[unknown, `nobody${i}`], [wrong, 'known']] as const) {
        const t = await timed(() => signInAs(r.url, name, `wrong password ${i}`));
        times.push(t.ms);
        bodies.add(t.body);
        statuses.add(t.status);
      }
    }
    expect([...statuses]).toEqual([401]);
    expect(bodies.size).toBe(1);
    const [u, w] = [median(unknown), median(wrong)];
    console.log(`sign-in answer times, median of 50: unknown name ${u.toFixed(1)} ms, wrong password ${w.toFixed(1)} ms`);
    expect(Math.abs(u - w)).toBeLessThan(Math.max(u, w) * 0.25);
  }, 180_000);

  it('signs out with 204 (JSON) and 303 (form); the cookie is dead afterwards', async () => {
    const cookie = sessionCookieOf(await signInAs(r.url, 'owner', 'owner password'))!;
    expect((await json(r.url, '/session/end', {}, { cookie })).status).toBe(204);
    expect((await postJson(r.url, cookie, 'general', 'after')).status).toBe(401);
    const again = sessionCookieOf(await signInAs(r.url, 'owner', 'owner password'))!;
    const form = await fetch(`${r.url}/session/end`, { method: 'POST', redirect: 'manual', headers: { cookie: again, 'content-type': 'application/x-www-form-urlencoded', origin: r.url } });
    expect(form.status).toBe(303);
  });

  it('changes a password with the current one, ending the other sessions but this one', async () => {
    const here = await account(r.url, 'changer', 'first password');
    const elsewhere = sessionCookieOf(await signInAs(r.url, 'changer', 'first password'))!;
    expect((await json(r.url, '/account/password', { current: 'not it at all', password: 'second password' }, { cookie: here })).status).toBe(403);
    expect((await json(r.url, '/account/password', { current: 'first password', password: 'second password' }, { cookie: here })).status).toBe(204);
    expect((await postJson(r.url, elsewhere, 'general', 'elsewhere')).status).toBe(401);
    expect((await postJson(r.url, here, 'general', 'here')).status).toBe(201);
    expect((await signInAs(r.url, 'changer', 'first password')).status).toBe(401);
    expect((await signInAs(r.url, 'changer', 'second password')).status).toBe(200);
  });

  it('signs out everywhere from the account page', async () => {
    const one = await account(r.url, 'leaver', 'leaver password');
    const two = sessionCookieOf(await signInAs(r.url, 'leaver', 'leaver password'))!;
    expect(await (await get(r.url, '/account', one)).text()).toContain('Sign out everywhere');
    expect((await json(r.url, '/account/sessions/end', {}, { cookie: one })).status).toBe(204);
    for (const cookie of [one, two]) expect((await postJson(r.url, cookie, 'general', 'gone')).status).toBe(401);
  });
});

describe('cookies behind HTTPS (PUBLIC_ORIGIN https://...)', () => {
  let r: Replica;
  beforeAll(async () => {
    r = await startReplica(await freshDatabase(), { publicOrigin: 'https://chat.example.com' });
  });
  afterAll(() => r.close());

  it('carry the __Host- prefix, Secure, HttpOnly, SameSite=Lax, Path=/, and an unprefixed one is not read', async () => {
    const res = await json(r.url, '/users', { name: 'secure', password: 'secure password' });
    expect(res.status).toBe(201);
    const set = res.headers.getSetCookie();
    const session = set.find((c) => c.startsWith('__Host-chat_session='))!;
    for (const flag of [/; Secure/, /; HttpOnly/, /; SameSite=Lax/, /; Path=\/(;|$)/]) expect(session).toMatch(flag);
    expect(session).not.toMatch(/Domain=/);
    expect(set.find((c) => c.startsWith('__Host-chat_device='))).toMatch(/; Secure/);
    const cookie = sessionCookieOf(res)!;
    expect((await postJson(r.url, cookie, 'general', 'prefixed')).status).toBe(201);
    const planted = cookie.replace('__Host-', '');
    expect((await postJson(r.url, planted, 'general', 'planted')).status).toBe(401);
    const out = await json(r.url, '/session/end', {}, { cookie });
    expect(out.headers.getSetCookie().join()).toMatch(/__Host-chat_session=;.*Secure/);
  });
});

describe('a replica too busy hashing passwords', () => {
  let r: Replica;
  beforeAll(async () => {
    // No line at all: past the running jobs every hash is refused at once.
    r = await startReplica(await freshDatabase(), { hashQueue: 0, passwordHashCost: 15 });
    await account(r.url, 'first', 'first password');
  });
  afterAll(() => r.close());

  it('answers registrations and sign-ins past its queue with 503 and Retry-After, never more CPU', async () => {
    const answers = await Promise.all([
      ...Array.from({ length: 6 }, (_, i) => json(r.url, '/users', { name: `crowd${i}`, password: 'crowd password' })),
      ...Array.from({ length: 6 }, () => signInAs(r.url, 'first', 'first password')),
    ]);
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 201 || s === 200).length).toBeGreaterThan(0);
    expect(statuses.filter((s) => ![200, 201, 503].includes(s))).toEqual([]);
    const metrics = await devMetrics(r.url);
    expect(metrics).toMatch(/^chat_password_hashes_waiting(\{[^}]*\})? 0$/m);
    for (const a of answers.filter((x) => x.status === 503)) {
      expect(Number(a.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(((await a.json()) as { error: string }).error).toMatch(/Try again/);
    }
  });
});

