import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';
import { eventually, postJson } from '../support/client.ts';

let r: Replica;
beforeAll(async () => {
  r = await startReplica(await freshDatabase(), {
    rateLimitSignin: { max: 3, windowMs: 60_000 },
    rateLimitMessages: { max: 5, windowMs: 10_000 },
  });
});
afterAll(() => r.close());

const post = (path: string, name: string, password: string) =>
  fetch(`${r.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password }) });
const register = (name: string, password: string) => post('/users', name, password);
const signIn = (name: string, password: string) => post('/session', name, password);
const cookieOf = (res: Response) => res.headers.get('set-cookie')!.split(';')[0]!;

describe('accounts and sessions', () => {
  it('registers a free name with 201 (the first as the admin), then signs it in with 200, regardless of case', async () => {
    const first = await register('Alice', 'first password');
    expect(first.status).toBe(201);
    expect(await first.json()).toEqual({ user: { name: 'Alice', role: 'admin' } });
    const again = await signIn('alice', 'first password');
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ user: { name: 'Alice', role: 'admin' } });
    expect((await register('ALICE', 'other password')).status).toBe(409);
  });

  it('never registers on sign-in: a free name is a 401', async () => {
    expect((await signIn('stranger', 'a password')).status).toBe(401);
    expect((await register('stranger', 'a password')).status).toBe(201);
  });

  it('sets an HttpOnly, SameSite=Lax session cookie that is not in any URL', async () => {
    const res = await register('cookies', 'a password');
    const header = res.headers.get('set-cookie')!;
    expect(header).toMatch(/^chat_session=[A-Za-z0-9_-]{43};/);
    expect(header).toMatch(/HttpOnly/);
    expect(header).toMatch(/SameSite=Lax/);
    expect(res.headers.get('location')).toBeNull();
  });

  it('answers a wrong password with 401 and, past the limit, 429 with Retry-After', async () => {
    await register('bob', 'right password');
    for (let i = 0; i < 3; i++) expect((await signIn('bob', 'wrong password')).status).toBe(401);
    const blocked = await signIn('bob', 'right password');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('ends the session on sign-out, so the same cookie can no longer post', async () => {
    const cookie = cookieOf(await register('carol', 'carol password'));
    expect((await postJson(r.url, cookie, 'general', 'before')).status).toBe(201);
    const out = await fetch(`${r.url}/session/end`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' } });
    expect(out.status).toBe(204);
    expect((await postJson(r.url, cookie, 'general', 'after')).status).toBe(401);
  });

  it('limits posting per user with 429 and Retry-After, keeping what was accepted', async () => {
    const cookie = cookieOf(await register('dave', 'dave password'));
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await postJson(r.url, cookie, 'help', `flood ${i}`)).status);
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429, 429]);
    const limited = await postJson(r.url, cookie, 'help', 'once more');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    const history = await eventually(
      async () => (await fetch(`${r.url}/api/rooms/help/messages`, { headers: { cookie } }).then((x) => x.json())) as { messages: unknown[] },
      (h) => h.messages.length >= 5,
    );
    expect(history.messages).toHaveLength(5);
  });
});
