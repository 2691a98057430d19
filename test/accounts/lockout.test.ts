import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';
import { register, signInAs } from './helpers.ts';

const minute = (max: number) => ({ max, windowMs: 60_000 });
const from = (address: string, cookie?: string) => ({ 'x-forwarded-for': address, ...(cookie ? { cookie } : {}) });
const deviceOf = (res: Response) => res.headers.getSetCookie().find((c) => c.startsWith('chat_device='))!.split(';')[0]!;

async function expectLimited(res: Response, what: RegExp) {
  expect(res.status).toBe(429);
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(((await res.json()) as { error: string }).error).toMatch(what);
}

describe('sign-in under a lockout attack, over two replicas behind a trusted proxy', () => {
  let a: Replica;
  let b: Replica;
  beforeAll(async () => {
    const db = await freshDatabase();
    const limits = { trustProxy: true, rateLimitSignin: minute(3), rateLimitSigninName: minute(6), rateLimitSigninAddress: minute(100) };
    [a, b] = await Promise.all([startReplica(db, limits), startReplica(db, limits)]);
    await register(a.url, { name: 'admin', password: 'admin password' }, from('10.0.0.1'));
  });
  afterAll(() => Promise.all([a.close(), b.close()]));

  it('limits one address guessing a name, while the owner from another address still gets in', async () => {
    expect((await register(a.url, { name: 'target', password: 'right password' }, from('10.0.0.2'))).status).toBe(201);
    for (const base of [a.url, b.url, a.url]) expect((await signInAs(base, 'target', 'wrong guess', from('203.0.113.9'))).status).toBe(401);
    await expectLimited(await signInAs(b.url, 'target', 'right password', from('203.0.113.9')), /for this name from your address/);
    expect((await signInAs(a.url, 'target', 'right password', from('198.51.100.7'))).status).toBe(200);
  });

  it('lets the owner in with the device cookie of an earlier sign-in, even once guesses from many addresses have used up the name', async () => {
    const registered = await register(a.url, { name: 'owner', password: 'right password' }, from('10.0.0.3'));
    const device = deviceOf(registered);
    // Two guesses each from three addresses use up the name's budget for unknown browsers (6).
    for (let i = 0; i < 6; i++) expect((await signInAs(i % 2 ? a.url : b.url, 'owner', 'wrong guess', from(`203.0.113.${10 + (i >> 1)}`))).status).toBe(401);
    await expectLimited(await signInAs(a.url, 'owner', 'right password', from('198.51.100.8')), /browsers it has not used/);
    const owner = await signInAs(b.url, 'owner', 'right password', from('10.0.0.3', device));
    expect(owner.status).toBe(200);
    expect(((await owner.json()) as { user: { name: string } }).user.name).toBe('owner');
  });

  it('counts guesses made with a device cookie against that device, and a cookie for another name buys nothing', async () => {
    const device = deviceOf(await register(a.url, { name: 'carrier', password: 'right password' }, from('10.0.0.4')));
    expect((await register(a.url, { name: 'other', password: 'right password' }, from('10.0.0.5'))).status).toBe(201);
    for (let i = 0; i < 3; i++) expect((await signInAs(a.url, 'other', 'wrong guess', from('10.0.9.9', device))).status).toBe(401);
    await expectLimited(await signInAs(a.url, 'other', 'wrong guess', from('10.0.9.9', device)), /from your address/);
    for (let i = 0; i < 3; i++) expect((await signInAs(b.url, 'carrier', 'wrong guess', from(`10.0.8.${i}`, device))).status).toBe(401);
    await expectLimited(await signInAs(b.url, 'carrier', 'right password', from('10.0.8.9', device)), /from this browser/);
    expect((await signInAs(a.url, 'carrier', 'right password', from('10.0.7.1'))).status).toBe(200);
  });

  it('takes a burst of parallel guesses exactly: no more than the limit reach a password check', async () => {
    expect((await register(a.url, { name: 'burst', password: 'right password' }, from('10.0.0.6'))).status).toBe(201);
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => signInAs(i % 2 ? a.url : b.url, 'burst', `guess ${i}xx`, from('203.0.113.77'))));
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(9);
  });
});

describe('per-address limits', () => {
  let r: Replica;
  beforeAll(async () => {
    r = await startReplica(await freshDatabase(), { trustProxy: true, rateLimitSigninAddress: minute(4), rateLimitRegister: minute(2) });
    await register(r.url, { name: 'admin', password: 'admin password' }, from('10.0.0.1'));
  });
  afterAll(() => r.close());

  it('count every sign-in attempt from an address, successes too', async () => {
    expect((await register(r.url, { name: 'regular', password: 'right password' }, from('10.2.0.1'))).status).toBe(201);
    for (let i = 0; i < 4; i++) expect((await signInAs(r.url, 'regular', 'right password', from('10.2.0.2'))).status).toBe(200);
    await expectLimited(await signInAs(r.url, 'regular', 'right password', from('10.2.0.2')), /sign-ins from your address/);
    expect((await signInAs(r.url, 'regular', 'right password', from('10.2.0.3'))).status).toBe(200);
  });

  it('count new accounts per IPv4 address and per IPv6 /48', async () => {
    const reg = (name: string, ip: string) => register(r.url, { name, password: 'new password' }, from(ip));
    expect((await reg('v6a', '2001:db8:1:1::1')).status).toBe(201);
    expect((await reg('v6b', '2001:db8:1:2::1')).status).toBe(201);
    await expectLimited(await reg('v6c', '2001:db8:1:ffff::1'), /new accounts from your network/);
    expect((await reg('v6c', '2001:db8:2::1')).status).toBe(201);
    expect((await reg('v4a', '192.0.2.1')).status).toBe(201);
    expect((await reg('v4b', '192.0.2.1')).status).toBe(201);
    await expectLimited(await reg('v4c', '192.0.2.1'), /new accounts/);
    expect((await reg('v4c', '192.0.2.2')).status).toBe(201);
  });
});
