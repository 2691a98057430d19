import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, signIn } from '../support/client.ts';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';

// The room-management forms as a browser without JavaScript sends them: form posts answered by
// 303 redirects, refusals answered by the form's page again with the reason and the status.
let r: Replica;
const who: Record<string, string> = {};

const send = (path: string, as: string, fields: Record<string, string> = {}) =>
  fetch(`${r.url}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: r.url, accept: 'text/html', cookie: who[as]! },
    body: new URLSearchParams(fields).toString(),
  });
const page = (path: string, as: string) => fetch(`${r.url}${path}`, { redirect: 'manual', headers: { accept: 'text/html', cookie: who[as]! } });
const listed = async (as: string) => (await page('/', as).then((x) => x.text())).includes('href="/rooms/secret-plans"');
const titles = async (as: string) =>
  ((await fetch(`${r.url}/api/rooms`, { headers: { cookie: who[as]! } }).then((x) => x.json())) as { rooms: { slug: string; title: string; kind: string }[] }).rooms;

beforeAll(async () => {
  r = await startReplica(await freshDatabase(), { rateLimitMessages: null });
  // The first account of an empty instance is its admin.
  for (const name of ['boss', 'alice', 'bob', 'carol']) who[name] = await signIn(r.url, name);
});
afterAll(() => r?.close());

describe('room management by plain forms', () => {
  it('creates a closed room whose added member finds it, while everyone else gets a 404', async () => {
    const made = await send('/rooms', 'alice', { title: 'Secret plans', topic: 'Not for everyone', kind: 'closed', members: '' });
    expect(made.status).toBe(303);
    expect(made.headers.get('location')).toBe('/rooms/secret-plans');
    const added = await send('/rooms/secret-plans/members', 'alice', { name: 'bob' });
    expect(added.status).toBe(303);
    expect(added.headers.get('location')).toBe('/rooms/secret-plans/settings?done=added&name=bob');
    expect(await page(added.headers.get('location')!, 'alice').then((x) => x.text())).toContain('bob is in this room now.');

    expect(await listed('bob')).toBe(true);
    expect((await page('/rooms/secret-plans', 'bob')).status).toBe(200);
    expect(await listed('carol')).toBe(false);
    for (const path of ['/rooms/secret-plans', '/rooms/secret-plans/settings']) expect((await page(path, 'carol')).status).toBe(404);
    expect((await send('/rooms/secret-plans/members', 'carol', { name: 'carol' })).status).toBe(404);
    expect((await send('/rooms/secret-plans/leave', 'carol')).status).toBe(404);
  });

  it('lets a member leave a closed room, after which it is a 404 for them', async () => {
    const left = await send('/rooms/secret-plans/leave', 'bob');
    expect(left.status).toBe(303);
    expect(left.headers.get('location')).toBe('/');
    expect((await page('/rooms/secret-plans', 'bob')).status).toBe(404);
    expect(await listed('bob')).toBe(false);
  });

  it("lets only the room's creator or an admin remove someone else, and shows a refusal on the settings page", async () => {
    for (const name of ['bob', 'carol']) expect((await send('/rooms/secret-plans/members', 'alice', { name })).status).toBe(303);
    const refused = await send('/rooms/secret-plans/members/carol/remove', 'bob');
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('Only the room&#39;s creator or an admin removes other people.');
    const unknown = await send('/rooms/secret-plans/members', 'alice', { name: 'nobody-here' });
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toMatch(/Nobody is called &quot;nobody-here&quot;[\s\S]*value="nobody-here"/);

    const removed = await send('/rooms/secret-plans/members/carol/remove', 'alice');
    expect(removed.status).toBe(303);
    expect((await page('/rooms/secret-plans', 'carol')).status).toBe(404);
    // An admin who is not in the closed room still manages it.
    expect((await send('/rooms/secret-plans/members/bob/remove', 'boss')).status).toBe(303);
    expect((await page('/rooms/secret-plans', 'bob')).status).toBe(404);
  });

  it('lets the creator rename a room and set its topic, but only admins archive it or make it public', async () => {
    const saved = await send('/rooms/secret-plans/settings', 'alice', { title: 'Launch plans', topic: 'Friday' });
    expect(saved.status).toBe(303);
    const html = await page('/rooms/secret-plans', 'alice').then((x) => x.text());
    expect(html).toContain('Launch plans');
    expect(html).toContain('Friday');
    expect((await send('/rooms/secret-plans/settings', 'alice', { archived: 'true' })).status).toBe(403);
    expect((await send('/rooms/secret-plans/settings', 'alice', { public: 'true' })).status).toBe(403);
    expect((await send('/rooms/secret-plans/settings', 'alice', { title: '' })).status).toBe(400);
    expect((await send('/rooms/general/settings', 'alice', { title: 'Mine now' })).status).toBe(403);
  });

  it('refuses posts to an archived room with 403 while it stays readable, and takes them again once unarchived', async () => {
    const archived = await send('/admin/rooms/secret-plans', 'boss', { archived: 'true' });
    expect(archived.status).toBe(303);
    expect(archived.headers.get('location')).toBe('/admin/rooms?done=saved');
    const reading = await page('/rooms/secret-plans', 'alice');
    expect(reading.status).toBe(200);
    expect(await reading.text()).toContain('This room is archived');
    expect((await postJson(r.url, who.alice!, 'secret-plans', 'still there?')).status).toBe(403);
    expect((await send('/rooms/secret-plans/messages', 'alice', { body: 'by form' })).status).toBe(403);
    expect(await page('/admin/rooms', 'boss').then((x) => x.text())).toMatch(/Launch plans[\s\S]*archived/);

    expect((await send('/admin/rooms/secret-plans', 'boss', { archived: 'false' })).status).toBe(303);
    expect((await postJson(r.url, who.alice!, 'secret-plans', 'back again')).status).toBe(201);
  });

  it('lets people outside a closed room an admin made public read it, but not add anyone to it', async () => {
    expect((await send('/admin/rooms/secret-plans', 'boss', { public: 'true' })).status).toBe(303);
    expect((await page('/rooms/secret-plans', 'carol')).status).toBe(200);
    expect((await send('/rooms/secret-plans/members', 'carol', { name: 'carol' })).status).toBe(403);
    const api = await fetch(`${r.url}/api/rooms/secret-plans/members`, {
      method: 'POST', headers: { 'content-type': 'application/json', cookie: who.carol! }, body: JSON.stringify({ name: 'carol' }),
    });
    expect(api.status).toBe(403);
    expect((await send('/admin/rooms/secret-plans', 'boss', { public: 'false' })).status).toBe(303);
    expect((await page('/rooms/secret-plans', 'carol')).status).toBe(404);
  });

  it('keeps the admin rooms page to admins and leaves direct conversations off it', async () => {
    expect((await page('/admin/rooms', 'alice')).status).toBe(404);
    expect((await send('/admin/rooms/general', 'alice', { archived: 'true' })).status).toBe(404);
    const html = await page('/admin/rooms', 'boss').then((x) => x.text());
    for (const slug of ['general', 'secret-plans']) expect(html).toContain(`/admin/rooms/${slug}"`);
    expect(html).not.toContain('dm-');
  });

  it('finds the same direct conversation when it is started again from either side, named after the other person', async () => {
    const first = await send('/directs', 'alice', { names: 'carol' });
    expect(first.status).toBe(303);
    const location = first.headers.get('location')!;
    expect(location).toMatch(/^\/rooms\/dm-/);
    expect((await send('/directs', 'alice', { names: 'Carol' })).headers.get('location')).toBe(location);
    expect((await send('/directs', 'carol', { names: 'alice' })).headers.get('location')).toBe(location);
    const slug = location.slice('/rooms/'.length);
    expect((await titles('alice')).filter((x) => x.kind === 'direct')).toEqual([expect.objectContaining({ slug, title: 'carol' })]);
    expect((await titles('carol')).filter((x) => x.kind === 'direct')).toEqual([expect.objectContaining({ slug, title: 'alice' })]);
    expect(await page(location, 'carol').then((x) => x.text())).toMatch(/<h1 id="room-title">.*alice(<\/bdi>)?<\/h1>/);
    expect(await page('/', 'alice').then((x) => x.text())).toMatch(/Direct messages[\s\S]*carol/);
    expect((await page(location, 'bob')).status).toBe(404);
  });

  it('shows each person only the settings forms they may use', async () => {
    const forms = async (path: string, as: string) => {
      const html = await page(path, as).then((x) => x.text());
      return ['Name and topic', 'Add a person', 'Leave this room', 'Make public', 'Archive', 'Remove'].filter((label) => html.includes(label));
    };
    expect((await send('/rooms/secret-plans/members', 'alice', { name: 'bob' })).status).toBe(303);
    expect(await forms('/rooms/secret-plans/settings', 'alice')).toEqual(['Name and topic', 'Add a person', 'Leave this room', 'Remove']);
    expect(await forms('/rooms/secret-plans/settings', 'bob')).toEqual(['Add a person', 'Leave this room']);
    expect(await forms('/rooms/secret-plans/settings', 'boss')).toEqual(['Name and topic', 'Make public', 'Archive', 'Remove']);
    expect(await forms('/rooms/general/settings', 'bob')).toEqual([]);
    const direct = (await send('/directs', 'bob', { names: 'alice' })).headers.get('location')!;
    expect(await forms(`${direct}/settings`, 'bob')).toEqual([]);
    expect((await page(`${direct}/settings`, 'boss')).status).toBe(404);
  });

  it('shows a hostile room title and topic as text on the list, the room, its settings and the admin page', async () => {
    const title = '<img src=x onerror=alert(1)>';
    const made = await send('/rooms', 'alice', { title, topic: '"><script>alert(2)</script>', kind: 'closed' });
    const path = made.headers.get('location')!;
    for (const [url, as] of [['/', 'alice'], [path, 'alice'], [`${path}/settings`, 'alice'], ['/admin/rooms', 'boss']] as const) {
      const html = await page(url, as).then((x) => x.text());
      expect(html, url).toContain('&lt;img src=x onerror=alert(1)&gt;');
      expect(html, url).not.toMatch(/<img src=x|<script>alert/);
    }
  });

  it('shows the room list again with the reason and what was typed when a form is refused', async () => {
    const noTitle = await send('/rooms', 'bob', { title: '  ', topic: 'kept', kind: 'closed' });
    expect(noTitle.status).toBe(400);
    expect(await noTitle.text()).toMatch(/role="alert"[\s\S]*value="kept"/);
    const stranger = await send('/rooms', 'bob', { title: 'Club', kind: 'closed', members: 'carol, ghost' });
    expect(stranger.status).toBe(404);
    expect(await stranger.text()).toContain('Nobody is called &quot;ghost&quot;');
    const alone = await send('/directs', 'bob', { names: 'bob' });
    expect(alone.status).toBe(400);
    expect(await alone.text()).toContain('at least one other person');
    expect((await send('/rooms/general/leave', 'bob')).status).toBe(403);
  });
});
