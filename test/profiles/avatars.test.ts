import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn } from '../support/client.ts';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';
import { call, firstAdmin, makeBot } from '../bots/helpers.ts';
import { jpegWithGps, page, pngClaiming, uploadAvatar } from './helpers.ts';

describe('avatars: uploaded, shrunk, stripped, and an initials picture until then', () => {
  let a: Replica;
  let b: Replica;
  let admin: string;
  let ann: string;
  const annName = `ann.lee_${process.pid}`;

  beforeAll(async () => {
    const db = await freshDatabase();
    [a, b] = await Promise.all([startReplica(db), startReplica(db, { uploadMaxBytes: 100_000 })]);
    admin = await firstAdmin(a.url);
    ann = await signIn(a.url, annName);
  });
  afterAll(() => Promise.all([a?.close(), b?.close()]));
  // A member looking (visitors without a session get initials only: the last test).
  const seen = (url: string, headers: Record<string, string> = {}) => fetch(url, { headers: { cookie: ann, ...headers } });

  it('before any upload, the avatar is a PNG of the initials, revalidated by its ETag', async () => {
    const res = await seen(`${a.url}/users/${annName}/avatar`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const png = Buffer.from(await res.arrayBuffer());
    const meta = await sharp(png).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 128, 128]);
    // The same picture on every replica, so an ETag from one is good on the other.
    const again = await seen(`${b.url}/users/${annName}/avatar`, { 'if-none-match': res.headers.get('etag')! });
    expect(again.status).toBe(304);
    expect((await seen(`${a.url}/users/nobody_here/avatar`)).status).toBe(404);
  });

  it('an uploaded JPEG comes back as WebP of at most 512 × 512 with its EXIF (GPS included) gone, and the ETag changes', async () => {
    const jpeg = await jpegWithGps(1600, 1000);
    expect((await sharp(jpeg).metadata()).exif?.length).toBeGreaterThan(0);
    const before = (await seen(`${a.url}/users/${annName}/avatar`)).headers.get('etag');
    const res = await uploadAvatar(a.url, { cookie: ann }, jpeg);
    expect(res.status).toBe(204);
    const served = await seen(`${b.url}/users/${annName}/avatar`);
    expect(served.headers.get('content-type')).toBe('image/webp');
    expect(served.headers.get('etag')).not.toBe(before);
    const webp = Buffer.from(await served.arrayBuffer());
    const meta = await sharp(webp).metadata();
    expect(meta.format).toBe('webp');
    expect(meta.width).toBeLessThanOrEqual(512);
    expect(meta.height).toBeLessThanOrEqual(512);
    expect(meta.exif).toBeUndefined();
    expect(webp.includes(Buffer.from('PhoneCo'))).toBe(false);
    // The versioned address the profile page uses is cached for good.
    const version = /^"v(\d+)"$/.exec(served.headers.get('etag')!)![1];
    expect((await seen(`${a.url}/users/${annName}/avatar`, { 'if-none-match': served.headers.get('etag')! })).status).toBe(304);
    const pinned = await seen(`${a.url}/users/${annName}/avatar?v=${version}`);
    expect(pinned.headers.get('cache-control')).toContain('immutable');
  });

  it('a form upload answers 303 to the profile; not an image is a 415 and a bomb-shaped header a 413, with clear messages', async () => {
    const jpeg = await jpegWithGps(300, 300);
    const form = await uploadAvatar(a.url, { cookie: ann }, jpeg, { page: true });
    expect(form.status).toBe(303);
    expect(form.headers.get('location')).toBe(`/users/${annName}?avatar=1`);
    const text = await uploadAvatar(a.url, { cookie: ann }, Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"></svg>'), { name: 'me.png' });
    expect(text.status).toBe(415);
    expect(((await text.json()) as { error: string }).error).toMatch(/PNG, JPEG, GIF or WebP/);
    const bomb = await uploadAvatar(a.url, { cookie: ann }, await pngClaiming(20_000, 20_000), { name: 'big.png' });
    expect(bomb.status).toBe(413);
    expect(((await bomb.json()) as { error: string }).error).toMatch(/megapixels/);
    const empty = await fetch(`${a.url}/api/me/avatar`, { method: 'POST', headers: { cookie: ann, 'content-type': 'application/json' }, body: '{}' });
    expect(empty.status).toBe(415);
    // Past UPLOAD_MAX_MB (100 kB on b): declared too large, or found too large while reading.
    const bobCookie = await signIn(b.url, `bob_${process.pid}`);
    for (const size of [400_000, 150_000]) {
      const big = await uploadAvatar(b.url, { cookie: bobCookie }, randomBytes(size), { name: 'big.jpg' });
      expect(big.status, String(size)).toBe(413);
      expect(((await big.json()) as { error: string }).error).toMatch(/larger than/);
    }
    const anonymous = await uploadAvatar(a.url, {}, jpeg);
    expect(anonymous.status).toBe(401);
  });

  it('a bot sets its own avatar with its token, an admin sets one from the bots page, and both are served', async () => {
    const bot = await makeBot(a.url, admin, 'deploys');
    const initials = await seen(`${a.url}/users/deploys/avatar`);
    expect(initials.headers.get('content-type')).toBe('image/png');
    expect((await uploadAvatar(a.url, { token: bot.token }, await jpegWithGps(200, 200))).status).toBe(204);
    const own = await seen(`${a.url}/users/deploys/avatar`);
    expect(own.headers.get('content-type')).toBe('image/webp');
    const byAdmin = await uploadAvatar(a.url, { cookie: admin }, await jpegWithGps(640, 480), { path: '/admin/bots/deploys/avatar', page: true });
    expect(byAdmin.status).toBe(303);
    expect(byAdmin.headers.get('location')).toBe('/admin/bots?avatar=deploys');
    const after = await seen(`${a.url}/users/deploys/avatar`);
    expect(after.headers.get('etag')).not.toBe(own.headers.get('etag'));
    const profile = await (await page(a.url, '/users/deploys', ann)).text();
    expect(profile).toContain('<h1><bdi>deploys</bdi> <span class="bot-mark" title="A bot">bot</span></h1>');
    const adminPage = await (await page(a.url, '/admin/bots?avatar=deploys', admin)).text();
    expect(adminPage).toContain('deploys has a new picture.');
    expect(adminPage).toContain('action="/admin/bots/deploys/avatar"');
    // Only admins, and only bots.
    expect((await uploadAvatar(a.url, { cookie: ann }, await jpegWithGps(64, 64), { path: '/admin/bots/deploys/avatar' })).status).toBe(404);
    expect((await uploadAvatar(a.url, { cookie: admin }, await jpegWithGps(64, 64), { path: `/admin/bots/${annName}/avatar` })).status).toBe(404);
    // Its messages show it beside them.
    expect((await call(a.url, { token: bot.token }, 'POST', '/rooms/general/messages', { body: 'deployed 1.2' })).status).toBe(201);
    const room = await (await page(a.url, '/rooms/general', ann)).text();
    expect(room).toContain('<a class="avatar hue-');
    expect(room).toContain('href="/users/deploys" tabindex="-1" aria-hidden="true"><img src="/users/deploys/avatar" alt="" width="36" height="36" loading="lazy"');
  });

  it('a visitor without a session gets initials for any well-formed name, known or not, so the address tells nothing', async () => {
    const known = await fetch(`${a.url}/users/${annName}/avatar`);
    const unknown = await fetch(`${a.url}/users/nobody_at_all/avatar`);
    expect([known.status, unknown.status]).toEqual([200, 200]);
    expect([known.headers.get('content-type'), unknown.headers.get('content-type')]).toEqual(['image/png', 'image/png']);
    expect((await seen(`${a.url}/users/${annName}/avatar`)).headers.get('content-type')).toBe('image/webp');
    expect((await fetch(`${a.url}/users/no%20such%20name/avatar`)).status).toBe(404);
  });
});
