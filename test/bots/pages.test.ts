import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';
import { signIn } from '../support/client.ts';
import { call, firstAdmin } from './helpers.ts';

describe('the admin bots page works with plain forms', () => {
  let r: Replica;
  let admin: string;
  beforeAll(async () => {
    r = await startReplica(await freshDatabase());
    admin = await firstAdmin(r.url);
  });
  afterAll(() => r?.close());

  const form = (path: string, fields: Record<string, string>, cookie = admin) =>
    fetch(`${r.url}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', origin: r.url, cookie },
      body: new URLSearchParams(fields).toString(),
    });
  const page = async (cookie = admin) => (await fetch(`${r.url}/admin/bots`, { headers: { accept: 'text/html', cookie } })).text();
  const shown = (html: string, label: string) => new RegExp(`${label} <input class="copy" readonly value="([^"]+)"`).exec(html)?.[1];

  it('making a bot shows its token, secret and hook URL once; the list then shows only its name', async () => {
    const res = await form('/admin/bots', { name: 'alerts', webhookUrl: '' });
    expect(res.status).toBe(201);
    const html = await res.text();
    const token = shown(html, 'Token');
    expect(token).toMatch(/^bot_/);
    expect(shown(html, 'Webhook secret \\(checks the signatures\\)')).toMatch(/^whsec_/);
    expect(html).toContain(`/hooks/${token}/general`);
    const later = await page();
    expect(later).toContain('<th scope="row">alerts</th>');
    expect(later).not.toContain(token!);
    // The token works until it is reset from the page.
    expect((await call(r.url, { token }, 'GET', '/api/rooms')).status).toBe(200);
    const reset = await form('/admin/bots/alerts/token', {});
    expect(reset.status).toBe(200);
    const newToken = shown(await reset.text(), 'Token');
    expect(newToken).not.toBe(token);
    expect((await call(r.url, { token }, 'GET', '/api/rooms')).status).toBe(401);
    expect((await call(r.url, { token: newToken }, 'GET', '/api/rooms')).status).toBe(200);
  });

  it('a refused form shows the page again with the reason and the status', async () => {
    const taken = await form('/admin/bots', { name: 'Alerts' });
    expect(taken.status).toBe(409);
    expect(await taken.text()).toContain('That name is taken.');
    const badUrl = await form('/admin/bots', { name: 'hooky', webhookUrl: 'http://127.0.0.1:9/x' });
    expect(badUrl.status).toBe(400);
    expect(await badUrl.text()).toContain('The webhook URL cannot be used');
  });

  it('deleting from the page redirects with a notice, and the token stops', async () => {
    const made = shown(await (await form('/admin/bots', { name: 'shortlived' })).text(), 'Token');
    const res = await form('/admin/bots/shortlived/delete', {});
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/admin/bots?deleted=shortlived');
    const after = await (await fetch(`${r.url}${res.headers.get('location')}`, { headers: { accept: 'text/html', cookie: admin } })).text();
    expect(after).toContain('shortlived was deleted');
    expect(after).not.toContain('<th scope="row">shortlived</th>');
    expect((await call(r.url, { token: made }, 'GET', '/api/rooms')).status).toBe(401);
  });

  it('people who are not admins are told there is no such page', async () => {
    const member = await signIn(r.url, `member_${process.pid}`);
    expect((await fetch(`${r.url}/admin/bots`, { headers: { accept: 'text/html', cookie: member } })).status).toBe(404);
    expect((await form('/admin/bots', { name: 'sneaky' }, member)).status).toBe(404);
  });
});
