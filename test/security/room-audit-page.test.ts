import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';
import { signIn } from '../support/client.ts';

// Issue 19 (note): an admin who is not a member can read a closed room by making it public and back.
// The audit trail that records it is a page admins can read, not only JSON.
describe('the room audit trail as an admin page', () => {
  let r: Replica;
  let admin: string;
  let member: string;
  beforeAll(async () => {
    r = await startReplica(await freshDatabase(), { rateLimitRooms: null });
    admin = await signIn(r.url, 'overseer');
    member = await signIn(r.url, 'keeper');
  });
  afterAll(() => r?.close());

  const call = (cookie: string, method: string, path: string, body?: unknown) =>
    fetch(`${r.url}${path}`, { method, redirect: 'manual', headers: { 'content-type': 'application/json', accept: 'text/html, application/json', cookie }, body: body === undefined ? undefined : JSON.stringify(body) });
  const rows = (html: string) => (html.match(/<td><time /g) ?? []).length;

  it('shows who did what to which room and when, names and titles isolated, newest first, 50 a page', async () => {
    expect((await call(member, 'POST', '/api/rooms', { title: 'Cellar', kind: 'closed' })).status).toBe(201);
    for (let i = 0; i < 54; i++) expect((await call(admin, 'PATCH', '/api/rooms/cellar', { public: i % 2 === 0 })).status).toBe(200);
    expect((await call(member, 'POST', '/api/rooms', { title: 'Gone soon' })).status).toBe(201);
    expect((await call(admin, 'DELETE', '/api/rooms/gone-soon')).status).toBe(204);

    const first = await call(admin, 'GET', '/admin/room-audit');
    expect(first.status).toBe(200);
    const html = await first.text();
    expect(rows(html)).toBe(50);
    // The newest: the deletion, with no link to the room that is no more.
    const newest = html.slice(html.indexOf('<tbody>'), html.indexOf('</tr>', html.indexOf('<tbody>')));
    expect(newest).toContain('<bdi>overseer</bdi>');
    expect(newest).toContain('deleted');
    expect(newest).toContain('<bdi>Gone soon</bdi>');
    expect(newest).not.toContain('href="/rooms/gone-soon');
    expect(html).toMatch(/<time datetime="\d{4}-\d\d-\d\dT[\d:.]+Z">/);
    expect(html).toContain('made private');
    const older = /href="\/admin\/room-audit\?before=(\d+)"/.exec(html);
    expect(older).not.toBeNull();
    const second = await (await call(admin, 'GET', `/admin/room-audit?before=${older![1]}`)).text();
    expect(rows(second)).toBe(5);
    expect(second).not.toContain('before=');
    expect(second).toContain('made public');
  });

  it('is a 404 for members, sends a visitor to sign in, and answers a bad page token with 400', async () => {
    expect((await call(member, 'GET', '/admin/room-audit')).status).toBe(404);
    const anonymous = await fetch(`${r.url}/admin/room-audit`, { redirect: 'manual', headers: { accept: 'text/html' } });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toMatch(/^\/login/);
    for (const bad of ['x', '-1', '0', '99999999999999999999', '1e3']) {
      expect((await call(admin, 'GET', `/admin/room-audit?before=${encodeURIComponent(bad)}`)).status, bad).toBe(400);
    }
  });
});
