import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionCookieOf, signIn } from '../support/client.ts';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';
import { call, firstAdmin } from '../bots/helpers.ts';
import { page, postForm } from './helpers.ts';

const makeLink = async (base: string, cookie: string): Promise<string> => {
  const res = await call(base, { cookie }, 'POST', '/api/me/transfer', {});
  expect(res.status).toBe(201);
  return ((await res.json()) as { url: string }).url;
};
const pathOf = (url: string) => new URL(url).pathname;

describe('a one-use sign-in link for another device', () => {
  let a: Replica;
  let b: Replica;
  let short: Replica;
  let admin: string;
  const annName = `ann_${process.pid}`;

  beforeAll(async () => {
    const db = await freshDatabase();
    [a, b, short] = await Promise.all([startReplica(db), startReplica(db, { publicOrigin: 'https://chat.example' }), startReplica(db, { transferLinkMs: 300 })]);
    admin = await firstAdmin(a.url);
  });
  afterAll(() => Promise.all([a?.close(), b?.close(), short?.close()]));

  it('makes an absolute link whose GET shows one button without using it, and whose POST signs the new device in, once', async () => {
    const ann = await signIn(a.url, annName);
    const url = await makeLink(a.url, ann);
    expect(url).toMatch(new RegExp(`^${a.url}/transfer/[A-Za-z0-9_-]{43}$`));
    // Only a hash of the token is stored.
    const token = url.split('/').pop()!;
    const rows = await a.sql<{ token_hash: Buffer }[]>`SELECT token_hash FROM transfer_links`;
    expect(rows.some((r) => r.token_hash.toString('base64url') === token || r.token_hash.toString() === token)).toBe(false);
    // A link previewer (or the person) opens it: a page with one button, twice, and nothing used.
    for (let i = 0; i < 2; i++) {
      const shown = await page(b.url, pathOf(url));
      expect(shown.status).toBe(200);
      const html = await shown.text();
      expect(html).toContain(`<form method="post" action="${pathOf(url)}">`);
      expect(html.match(/<button/g)?.length).toBeGreaterThanOrEqual(1);
      // It says whose account it signs into: a link someone else sent would sign one in as them.
      expect(html).toContain(`signs this device in as <strong><bdi>${annName}</bdi></strong>`);
    }
    const used = await postForm(a.url, undefined, pathOf(url));
    expect(used.status).toBe(303);
    expect(used.headers.get('location')).toBe('/');
    const phone = sessionCookieOf(used)!;
    expect(phone).toBeDefined();
    expect(phone).not.toBe(ann);
    const me = await call(a.url, { cookie: phone }, 'GET', '/api/me');
    expect(me.status).toBe(200);
    expect(((await me.json()) as { user: { name: string } }).user.name).toBe(annName);
    expect((await page(a.url, '/rooms/general', phone)).status).toBe(200);
    // Used: gone, on every replica, by GET and by POST.
    expect((await postForm(a.url, undefined, pathOf(url))).status).toBe(410);
    const gone = await page(b.url, pathOf(url));
    expect(gone.status).toBe(410);
    expect(await gone.text()).toContain('used already, has expired, or was ended');
    expect((await page(a.url, '/transfer/' + 'x'.repeat(43))).status).toBe(404);
    expect((await postForm(a.url, undefined, '/transfer/nonsense')).status).toBe(404);
  });

  it('uses PUBLIC_ORIGIN for the link, refuses a cross-site POST, and refuses links to anyone signed out', async () => {
    const ann = await signIn(b.url, annName);
    const url = await makeLink(b.url, ann);
    expect(url.startsWith('https://chat.example/transfer/')).toBe(true);
    const cross = await fetch(`${a.url}${pathOf(url)}`, {
      method: 'POST', redirect: 'manual',
      headers: { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }, body: '',
    });
    expect(cross.status).toBe(403);
    expect((await page(a.url, pathOf(url))).status).toBe(200);
    expect((await call(a.url, {}, 'POST', '/api/me/transfer', {})).status).toBe(401);
  });

  it('an expired link is a 410', async () => {
    const ann = await signIn(short.url, annName);
    const url = await makeLink(short.url, ann);
    await new Promise((r) => setTimeout(r, 400));
    expect((await page(short.url, pathOf(url))).status).toBe(410);
    expect((await postForm(short.url, undefined, pathOf(url))).status).toBe(410);
  });

  it('a deactivated person\'s link is a 410, even after they are reactivated', async () => {
    const name = `leaving_${process.pid}`;
    const cookie = await signIn(a.url, name);
    const url = await makeLink(a.url, cookie);
    expect((await call(a.url, { cookie: admin }, 'POST', `/api/users/${name}/deactivate`, {})).status).toBe(204);
    expect((await postForm(a.url, undefined, pathOf(url))).status).toBe(410);
    expect((await call(a.url, { cookie: admin }, 'POST', `/api/users/${name}/activate`, {})).status).toBe(204);
    expect((await postForm(a.url, undefined, pathOf(url))).status).toBe(410);
  });

  it('signing out everywhere, or a new password, voids the outstanding links', async () => {
    const name = `careful_${process.pid}`;
    let cookie = await signIn(a.url, name);
    const first = await makeLink(a.url, cookie);
    const second = await makeLink(a.url, await signIn(a.url, name));
    expect((await call(a.url, { cookie }, 'DELETE', '/api/sessions')).status).toBe(204);
    expect((await postForm(a.url, undefined, pathOf(first))).status).toBe(410);
    expect((await postForm(a.url, undefined, pathOf(second))).status).toBe(410);
    cookie = await signIn(a.url, name);
    const third = await makeLink(a.url, cookie);
    const changed = await call(a.url, { cookie }, 'POST', '/account/password', { current: 'correct horse', password: 'battery staple' });
    expect(changed.status).toBe(204);
    // The session that changed it stays, its link does not.
    expect((await call(a.url, { cookie }, 'GET', '/api/me')).status).toBe(200);
    expect((await postForm(a.url, undefined, pathOf(third))).status).toBe(410);
  });

  it('five devices racing for one link: exactly one is signed in', async () => {
    const url = await makeLink(a.url, await signIn(a.url, annName));
    const answers = await Promise.all([a, b, short, a, short].map((r) => postForm(r.url, undefined, pathOf(url)).then((res) => res.status)));
    // b answers 403 to our Origin (its PUBLIC_ORIGIN differs), so it never takes the link.
    expect(answers.filter((s) => s === 303)).toHaveLength(1);
    expect(answers.filter((s) => s === 410)).toHaveLength(3);
  });

  it('at most 20 links a person an hour, over all replicas: then 429 with Retry-After', async () => {
    const cookie = await signIn(a.url, `eager_${process.pid}`);
    for (let i = 0; i < 20; i++) await makeLink(i % 2 ? a.url : short.url, cookie);
    const refused = await call(a.url, { cookie }, 'POST', '/api/me/transfer', {});
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('the profile page makes a link without JavaScript and shows it as text and as a QR code', async () => {
    const ann = await signIn(a.url, annName);
    const res = await postForm(a.url, ann, '/profile/transfer');
    expect(res.status).toBe(200);
    const html = await res.text();
    const url = /<input class="copy" readonly value="([^"]+)">/.exec(html)![1]!;
    expect(url).toMatch(new RegExp(`^${a.url}/transfer/[A-Za-z0-9_-]{43}$`));
    expect(html).toMatch(/<figure class="qr"><svg role="img" aria-label="QR code of the sign-in link" width="240" height="240" xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 \d+ \d+"/);
    expect((await page(a.url, pathOf(url))).status).toBe(200);
  });
});
