import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';
import { postJson, signIn } from '../support/client.ts';

let r: Replica;
let cookie: string;
const form = (fields: Record<string, string>, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  redirect: 'manual',
  headers: { 'content-type': 'application/x-www-form-urlencoded', origin: r.url, accept: 'text/html', ...headers },
  body: new URLSearchParams(fields).toString(),
});

beforeAll(async () => {
  r = await startReplica(await freshDatabase(), { rateLimitMessages: null, replicaName: 'replica-under-test' });
  cookie = await signIn(r.url, 'pageuser');
});
afterAll(() => r.close());

describe('server-rendered pages', () => {
  it('lists the predefined rooms, each linking to its page, and names the replica', async () => {
    const html = await fetch(r.url, { headers: { cookie } }).then((x) => x.text());
    for (const slug of ['general', 'help', 'ops', 'off-topic']) expect(html).toContain(`href="/rooms/${slug}"`);
    expect(html).toContain('replica-under-test');
  });

  it('renders what people typed as text, never as markup', async () => {
    await postJson(r.url, cookie, 'general', '<script>alert(1)</script> & "quotes"\nsecond line');
    const html = await fetch(`${r.url}/rooms/general`, { headers: { cookie } }).then((x) => x.text());
    // Bodies are Markdown with raw HTML off: the markup stays escaped text, a line break becomes <br>.
    expect(html).toContain('<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;<br>\nsecond line</p>');
    expect(html).not.toContain('<script>alert(1)');
  });

  it('signs in and posts by plain forms, answering with 303 redirects', async () => {
    await signIn(r.url, 'formuser', 'form password');
    const login = await fetch(`${r.url}/session`, form({ name: 'formuser', password: 'form password', next: '/rooms/help' }));
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/rooms/help');
    const session = login.headers.get('set-cookie')!.split(';')[0]!;
    const posted = await fetch(`${r.url}/rooms/help/messages`, form({ body: 'by form' }, { cookie: session }));
    expect(posted.status).toBe(303);
    expect(posted.headers.get('location')).toBe('/rooms/help');
    const page = await fetch(`${r.url}/rooms/help`, { headers: { cookie: session } }).then((x) => x.text());
    expect(page).toContain('by form');
    expect(page).toContain('formuser');
    expect(page).toContain('action="/rooms/help/messages"');
  });

  it('shows the form again with the draft and the reason when a form post is refused', async () => {
    const res = await fetch(`${r.url}/rooms/help/messages`, form({ body: 'x'.repeat(4001) }, { cookie }));
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('the most is 4000');
    expect(html).toContain('x'.repeat(4001));
  });

  it('sends readers who are not signed in to the sign-in page, showing them no room, no messages and no form', async () => {
    // Members only: a page answers 303 to sign-in (coming back to the page afterwards), JSON and streams 401.
    for (const path of ['/', '/rooms/general', '/rooms/general?before=0-0', '/rooms/nowhere']) {
      const res = await fetch(`${r.url}${path}`, { redirect: 'manual', headers: { accept: 'text/html' } });
      expect(res.status, path).toBe(303);
      expect(res.headers.get('location'), path).toBe(`/login?next=${encodeURIComponent(path)}`);
      const body = await res.text();
      expect(body, path).not.toContain('alert(1)');
      expect(body, path).not.toContain('action="/rooms/general/messages"');
    }
    for (const path of ['/api/rooms', '/api/rooms/general/messages', '/rooms/general/events']) {
      const res = await fetch(`${r.url}${path}`);
      expect(res.status, path).toBe(401);
      expect(await res.text(), path).not.toContain('alert(1)');
    }
    const login = await fetch(`${r.url}/login?next=${encodeURIComponent('/rooms/general')}`).then((x) => x.text());
    expect(login).toContain('name="next" value="/rooms/general"');
    expect(login).not.toContain('action="/rooms/general/messages"');
  });

  it('pages through history with plain "older messages" links', async () => {
    for (let i = 0; i < 55; i++) await postJson(r.url, cookie, 'ops', `history ${i}`);
    const newest = await fetch(`${r.url}/rooms/ops`, { headers: { cookie } }).then((x) => x.text());
    expect(newest).toContain('history 54');
    expect(newest).not.toContain('history 4<');
    const older = /href="(\/rooms\/ops\?before=[^"]+)"/.exec(newest)![1]!;
    const page = await fetch(`${r.url}${older}`, { headers: { cookie } }).then((x) => x.text());
    expect(page).toContain('history 4<');
    expect(page).not.toContain('history 5<');
  });

  it('answers an unknown room with a 404 page', async () => {
    const res = await fetch(`${r.url}/rooms/nowhere`, { headers: { accept: 'text/html', cookie } });
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('There is no room called');
  });

  it('serves a room inserted straight into the database within a poll interval', async () => {
    await r.sql`INSERT INTO rooms (slug, title, topic) VALUES ('added', 'Added', 'by an admin')`;
    await new Promise((ok) => setTimeout(ok, 300));
    expect((await fetch(`${r.url}/rooms/added`, { headers: { cookie } })).status).toBe(200);
    const rooms = (await fetch(`${r.url}/api/rooms`, { headers: { cookie } }).then((x) => x.json())) as { rooms: { slug: string }[] };
    expect(rooms.rooms.map((x) => x.slug)).toContain('added');
  });
});
