import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStream, postJson, signIn } from '../support/client.ts';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';
import { call, firstAdmin } from '../bots/helpers.ts';
import { page, postForm } from './helpers.ts';

const patchBio = (base: string, cookie: string, body: unknown) =>
  fetch(`${base}/api/me`, { method: 'PATCH', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('profiles: a page per member with picture and bio', () => {
  let a: Replica;
  let b: Replica;
  let admin: string;
  let ann: string;
  let bob: string;
  const annName = `ann_${process.pid}`;
  const bobName = `bob_${process.pid}`;

  beforeAll(async () => {
    const db = await freshDatabase();
    [a, b] = await Promise.all([startReplica(db, { rateLimitMessages: null }), startReplica(db, { rateLimitMessages: null })]);
    admin = await firstAdmin(a.url);
    ann = await signIn(a.url, annName);
    bob = await signIn(a.url, bobName);
  });
  afterAll(() => Promise.all([a?.close(), b?.close()]));

  it('a member sees another member\'s page with name, picture and bio; their own page has the forms', async () => {
    const res = await patchBio(a.url, ann, { bio: 'Runs the release train.\nAsk me about trains.' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ user: { name: annName, bio: 'Runs the release train.\nAsk me about trains.' } });
    const seen = await page(b.url, `/users/${annName.toUpperCase()}`, bob);
    expect(seen.status).toBe(200);
    const html = await seen.text();
    expect(html).toContain(`<h1><bdi>${annName}</bdi>`);
    expect(html).toContain(`<img class="profile-avatar" src="/users/${annName}/avatar" alt="" width="128" height="128">`);
    expect(html).toContain('<p class="bio" dir="auto">Runs the release train.\nAsk me about trains.</p>');
    expect(html).not.toContain('action="/profile/bio"');
    expect(html).not.toContain('Sign in on another device');
    const own = await (await page(a.url, `/users/${annName}`, ann)).text();
    expect(own).toContain('action="/profile/bio"');
    expect(own).toContain('action="/api/me/avatar" enctype="multipart/form-data"');
    expect(own).toContain('Sign in on another device');
    const me: unknown = await (await call(a.url, { cookie: ann }, 'GET', '/api/me')).json();
    expect(me).toEqual({ user: { name: annName, role: 'member', bot: false, bio: 'Runs the release train.\nAsk me about trains.', avatar: `/users/${annName}/avatar` } });
  });

  it('a bio is escaped and isolated on the page, and bad ones are clear 400s', async () => {
    const hostile = '<script>alert(1)</script>\u202Egnp.exe "quoted" & more';
    expect((await patchBio(a.url, ann, { bio: hostile })).status).toBe(200);
    const html = await (await page(a.url, `/users/${annName}`, bob)).text();
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('<p class="bio" dir="auto">&lt;script&gt;alert(1)&lt;/script&gt;\u202Egnp.exe &quot;quoted&quot; &amp; more</p>');
    for (const [body, message] of [
      [{ bio: 'x'.repeat(501) }, /at most 500 characters/],
      [{ bio: 42 }, /must be a string/],
      [{ bio: 'bell\u0007' }, /control characters/],
      [{}, /Send \{"bio"/],
    ] as const) {
      const res = await patchBio(a.url, ann, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(message);
    }
    expect((await fetch(`${a.url}/api/me`, { method: 'PATCH', headers: { cookie: ann, 'content-type': 'application/json' }, body: '{"bio":' })).status).toBe(400);
    expect((await patchBio(a.url, ann, { bio: 'é'.repeat(500) })).status).toBe(200);
  });

  it('the bio form works without JavaScript: 303 back to the profile, and a refusal shows the page with the reason', async () => {
    const saved = await postForm(a.url, bob, '/profile/bio', { bio: 'On call this week.' });
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe(`/users/${bobName}?saved=bio`);
    const html = await (await page(a.url, saved.headers.get('location')!, bob)).text();
    expect(html).toContain('Your bio is saved.');
    expect(html).toContain('>On call this week.</textarea>');
    const refused = await postForm(a.url, bob, '/profile/bio', { bio: 'y'.repeat(600) });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('A bio is at most 500 characters.');
  });

  it('an unknown or deactivated name is a 404, and without a session the page asks to sign in', async () => {
    expect((await page(a.url, '/users/nobody_at_all', ann)).status).toBe(404);
    expect((await page(a.url, '/users/%3Cx%3E', ann)).status).toBe(404);
    const leaving = `leaving_${process.pid}`;
    await signIn(a.url, leaving);
    expect((await page(a.url, `/users/${leaving}`, ann)).status).toBe(200);
    expect((await call(a.url, { cookie: admin }, 'POST', `/api/users/${leaving}/deactivate`, {})).status).toBe(204);
    expect((await page(a.url, `/users/${leaving}`, ann)).status).toBe(404);
    // Their old messages keep a picture beside them.
    expect((await fetch(`${a.url}/users/${leaving}/avatar`)).status).toBe(200);
    const anonymous = await page(a.url, `/users/${annName}`);
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toMatch(/^\/login\?next=/);
  });

  it('each message shows its author\'s picture, linking to the profile, in the page and in the stream\'s partial', async () => {
    const stream = await openStream(b.url, 'general', { cookie: bob });
    expect((await postJson(a.url, ann, 'general', 'with a face now')).status).toBe(201);
    const [event] = await stream.waitFor(1);
    stream.close();
    const avatar = `<a class="avatar hue-`;
    const img = `href="/users/${annName}" tabindex="-1" aria-hidden="true"><img src="/users/${annName}/avatar" alt="" width="36" height="36" loading="lazy" decoding="async"></a>`;
    expect(event!.message.html).toContain(avatar);
    expect(event!.message.html).toContain(img);
    const html = await (await page(a.url, '/rooms/general', bob)).text();
    expect(html).toContain(img);
    expect(html).toContain(`<bdi class="author">${annName}</bdi>`);
    const made = await call(a.url, { cookie: ann }, 'POST', '/api/rooms', { title: 'Faces', kind: 'closed', members: [bobName] });
    const { room } = (await made.json()) as { room: { slug: string } };
    const settings = await (await page(a.url, `/rooms/${room.slug}/settings`, bob)).text();
    expect(settings).toContain(`<span class="member-name"><a href="/users/${annName}"><bdi>${annName}</bdi></a>`);
  });
});
