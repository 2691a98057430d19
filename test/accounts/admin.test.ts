import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, sessionCookieOf } from '../support/client.ts';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';
import { account, get, json, signInAs } from './helpers.ts';

const form = (base: string, path: string, cookie: string, fields: Record<string, string> = {}) =>
  fetch(`${base}${path}`, {
    method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', origin: base, cookie },
    body: new URLSearchParams(fields).toString(),
  });

describe('admins and people, over two replicas', () => {
  let a: Replica;
  let b: Replica;
  let admin: string;
  beforeAll(async () => {
    const db = await freshDatabase();
    [a, b] = await Promise.all([startReplica(db), startReplica(db)]);
    admin = await account(a.url, 'chief', 'chief password');
  });
  afterAll(() => Promise.all([a.close(), b.close()]));

  it('deactivating someone on one replica gives 401 on their next request on the other, tells them at sign-in that the account is deactivated, and reactivating lets them sign in again', async () => {
    const cookie = await account(a.url, 'leaving', 'leaving password');
    expect((await postJson(b.url, cookie, 'general', 'before')).status).toBe(201);
    expect((await json(a.url, '/api/users/leaving/deactivate', {}, { cookie: admin })).status).toBe(204);
    expect((await postJson(b.url, cookie, 'general', 'after')).status).toBe(401);
    expect((await get(b.url, '/api/rooms', cookie, 'application/json')).status).toBe(401);
    expect((await signInAs(b.url, 'leaving', 'wrong password')).status).toBe(401);
    // The right password learns why, and nothing else does.
    const refused = await signInAs(b.url, 'leaving', 'leaving password');
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('deactivated');
    expect((await json(b.url, '/api/users/leaving/activate', {}, { cookie: admin })).status).toBe(204);
    expect((await signInAs(a.url, 'leaving', 'leaving password')).status).toBe(200);
  });

  it('answers non-admins with 404 and an unknown name with 404', async () => {
    const member = await account(a.url, 'ordinary', 'ordinary password');
    expect((await json(a.url, '/api/users/chief/deactivate', {}, { cookie: member })).status).toBe(404);
    expect((await get(a.url, '/admin/people', member)).status).toBe(404);
    expect((await json(a.url, '/api/users/nobody/deactivate', {}, { cookie: admin })).status).toBe(404);
    expect((await json(a.url, '/api/users/chief/deactivate', {})).status).toBe(401);
  });

  it('keeps an active admin: the last one can neither deactivate nor demote themselves', async () => {
    expect((await json(a.url, '/api/users/chief/deactivate', {}, { cookie: admin })).status).toBe(409);
    const page = await form(a.url, '/admin/people/chief/member', admin);
    expect(page.status).toBe(409);
    expect(await page.text()).toContain('no active admin');
    expect((await form(a.url, '/admin/people/ordinary/admin', admin)).status).toBe(303);
    const deputy = sessionCookieOf(await signInAs(b.url, 'ordinary', 'ordinary password'))!;
    expect((await get(b.url, '/admin/people', deputy)).status).toBe(200);
    expect((await form(b.url, '/admin/people/ordinary/member', deputy)).status).toBe(303);
    expect((await get(b.url, '/admin/people', deputy)).status).toBe(404);
  });

  it('lists people on an HTML page and deactivates by form, without JavaScript', async () => {
    await account(a.url, 'formed', 'formed password');
    const html = await (await get(a.url, '/admin/people', admin)).text();
    expect(html).toContain('action="/admin/people/formed/deactivate"');
    const done = await form(a.url, '/admin/people/formed/deactivate', admin);
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/admin/people?done=deactivate&name=formed');
    expect(await (await get(a.url, done.headers.get('location')!, admin)).text()).toContain('deactivated');
  });

  it('makes reset links by JSON too, for admins only', async () => {
    await account(a.url, 'scripted', 'scripted password');
    const made = await json(a.url, '/api/users/scripted/reset', {}, { cookie: admin });
    expect(made.status).toBe(201);
    const { url } = (await made.json()) as { url: string };
    expect(url).toMatch(new RegExp(`^${a.url}/reset/[A-Za-z0-9_-]{43}$`));
    expect((await json(a.url, '/api/users/nobody/reset', {}, { cookie: admin })).status).toBe(404);
    const member = await account(a.url, 'nosy', 'nosy password');
    expect((await json(a.url, '/api/users/scripted/reset', {}, { cookie: member })).status).toBe(404);
  });

  it('makes a one-time reset link that sets a new password, ends old sessions and works once', async () => {
    const old = await account(a.url, 'forgetful', 'forgotten password');
    const page = await (await form(a.url, '/admin/people/forgetful/reset', admin)).text();
    const url = /value="(http:\/\/[^"]+\/reset\/[A-Za-z0-9_-]{43})"/.exec(page)![1]!;
    const path = new URL(url).pathname;
    expect(await (await get(b.url, path)).text()).toContain('forgetful');
    const used = await json(b.url, path, { password: 'remembered password' });
    expect(used.status).toBe(200);
    expect((await postJson(a.url, old, 'general', 'old session')).status).toBe(401);
    expect((await signInAs(a.url, 'forgetful', 'remembered password')).status).toBe(200);
    expect((await json(b.url, path, { password: 'another password' })).status).toBe(404);
    expect((await get(a.url, path)).status).toBe(404);
  });
});
