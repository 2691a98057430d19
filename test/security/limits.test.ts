import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson } from '../support/client.ts';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';
import { postForm, sessionCookie } from './helpers.ts';

const minute = (max: number) => ({ max, windowMs: 60_000 });

function attempt(base: string, name: string, password: string, from?: string, path = '/session'): Promise<Response> {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(from ? { 'x-forwarded-for': from } : {}) },
    body: JSON.stringify({ name, password }),
  });
}

const register = (base: string, name: string, password: string, from?: string) => attempt(base, name, password, from, '/users');

async function expectLimited(res: Response, what: RegExp) {
  expect(res.status).toBe(429);
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(((await res.json()) as { error: string }).error).toMatch(what);
}

describe('limits shared by replicas behind a trusted proxy', () => {
  let a: Replica;
  let b: Replica;
  beforeAll(async () => {
    const db = await freshDatabase();
    const limits = { rateLimitSignin: minute(3), rateLimitSigninName: minute(5), rateLimitSigninAddress: minute(6), rateLimitRegister: minute(3), rateLimitMessages: minute(5), trustProxy: true };
    [a, b] = await Promise.all([startReplica(db, limits), startReplica(db, limits)]);
  });
  afterAll(() => Promise.all([a.close(), b.close()]));

  it('answer one address guessing one name with 429 after 3 failures, from any replica, even for the right password', async () => {
    expect((await register(a.url, 'target', 'right password', '10.0.0.1')).status).toBe(201);
    for (const base of [a.url, b.url, a.url]) expect((await attempt(base, 'target', 'wrong guess', '10.0.1.1')).status).toBe(401);
    await expectLimited(await attempt(b.url, 'target', 'right password', '10.0.1.1'), /for this name from your address/);
    // The owner, elsewhere, is not locked out by it (test/accounts/lockout.test.ts shows more).
    expect((await attempt(a.url, 'target', 'right password', '10.0.1.2')).status).toBe(200);
  });

  it('count a burst of parallel guesses from many addresses exactly: no more than the name allows get to try a password', async () => {
    expect((await register(a.url, 'burst', 'right password', '10.0.3.1')).status).toBe(201);
    const answers = await Promise.all(Array.from({ length: 24 }, (_, i) => attempt(i % 2 ? a.url : b.url, 'burst', `guess ${i}xx`, `10.0.4.${i}`)));
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(19);
  });

  it('answer one address guessing many names with 429, whatever it writes to the left in X-Forwarded-For', async () => {
    for (let i = 0; i < 7; i++) expect((await register(a.url, `spray${i}`, 'right password', `10.0.2.${i}`)).status).toBe(201);
    for (let i = 0; i < 6; i++) expect((await attempt(i % 2 ? a.url : b.url, `spray${i}`, 'wrong guess', '203.0.113.9')).status).toBe(401);
    await expectLimited(await attempt(a.url, 'spray6', 'wrong guess', '203.0.113.9'), /from your address/);
    await expectLimited(await attempt(b.url, 'spray6', 'wrong guess', '198.51.100.1, 203.0.113.9'), /from your address/);
    expect((await attempt(b.url, 'spray6', 'wrong guess', '203.0.113.9, 198.51.100.1')).status).toBe(401);
  });

  it('count successful sign-ins per address too, so a loop of them is limited', async () => {
    expect((await register(a.url, 'regular', 'right password', '10.0.5.1')).status).toBe(201);
    for (let i = 0; i < 6; i++) expect((await attempt(i % 2 ? a.url : b.url, 'regular', 'right password', '10.0.5.1')).status).toBe(200);
    await expectLimited(await attempt(a.url, 'regular', 'right password', '10.0.5.1'), /from your address/);
    expect((await attempt(b.url, 'regular', 'right password', '10.0.5.2')).status).toBe(200);
  });

  it('answer a fourth new name from one address with 429, while others may still register', async () => {
    for (const [i, base] of [a.url, b.url, a.url].entries()) expect((await register(base, `new${i}`, 'new password', '192.0.2.50')).status).toBe(201);
    await expectLimited(await register(b.url, 'new3', 'new password', '192.0.2.50'), /new accounts from your network/);
    expect((await attempt(b.url, 'new0', 'new password', '192.0.2.50')).status).toBe(200);
    expect((await register(a.url, 'new3', 'new password', '192.0.2.51')).status).toBe(201);
  });

  it('count new accounts from an IPv6 client by its /48, since a site holds every address in it', async () => {
    for (const [i, ip] of ['2001:db8::1', '2001:db8:0:1::2', '2001:db8:0:ffff::3'].entries()) {
      expect((await register(a.url, `six${i}`, 'new password', ip)).status).toBe(201);
    }
    await expectLimited(await register(a.url, 'six3', 'new password', '2001:db8:0:abcd::1'), /new accounts/);
    expect((await register(a.url, 'six3', 'new password', '2001:db8:1::1')).status).toBe(201);
  });

  it('answer a flood of posts over both replicas with 429 and Retry-After, by JSON and by form', async () => {
    const cookie = sessionCookie(await register(a.url, 'flooder', 'flood password', '10.0.6.1'))!;
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await postJson(i % 2 ? a.url : b.url, cookie, 'general', `flood ${i}`)).status);
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429, 429]);
    const json = await postJson(a.url, cookie, 'general', 'more');
    await expectLimited(json, /too fast/);
    const form = await postForm(b.url, '/rooms/general/messages', { body: 'by form' }, { cookie, origin: b.url });
    expect(form.status).toBe(429);
    expect(Number(form.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });
});

describe('limits without a trusted proxy', () => {
  let r: Replica;
  beforeAll(async () => {
    r = await startReplica(await freshDatabase(), { rateLimitSignin: null, rateLimitSigninAddress: minute(3), trustProxy: false });
  });
  afterAll(() => r.close());

  it('ignore X-Forwarded-For, so a client cannot pose as many addresses', async () => {
    expect((await register(r.url, 'victim', 'right password', '10.9.9.9')).status).toBe(201);
    for (let i = 0; i < 3; i++) expect((await attempt(r.url, 'victim', 'wrong guess', `10.9.0.${i}`)).status).toBe(401);
    await expectLimited(await attempt(r.url, 'victim', 'wrong guess', '10.9.0.99'), /from your address/);
  });
});
