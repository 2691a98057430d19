import { createReadStream, createWriteStream, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/db/connect.ts';
import { exportInstance } from '../../src/transfer/export.ts';
import { importInstance } from '../../src/transfer/import.ts';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';
import { eventually, openStream, postJson, signIn } from '../support/client.ts';

// Issue 19 (Medium): 869 rooms in 40 s, all in everyone's sidebar, "and rooms cannot be deleted".
// An admin deletes a room through the log: every replica drops it, its streams hear it, and
// everything written in it is gone from the database.
describe('room deletion by admins, through the log', () => {
  let a: Replica;
  let b: Replica;
  let admin: string;
  let member: string;
  let outsider: string;
  beforeAll(async () => {
    const db = await freshDatabase();
    [a, b] = await Promise.all([startReplica(db, { rateLimitMessages: null }), startReplica(db, { rateLimitMessages: null })]);
    admin = await signIn(a.url, 'chief');
    member = await signIn(a.url, 'writer');
    outsider = await signIn(a.url, 'stranger');
  });
  afterAll(() => Promise.all([a?.close(), b?.close()]));

  const call = (base: string, cookie: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, {
      method, redirect: 'manual',
      headers: { 'content-type': 'application/json', accept: 'application/json', cookie, ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
  const count = async (query: string, slug: string) => {
    const [row] = await a.sql.unsafe<{ n: number }[]>(query, [slug]);
    return row!.n;
  };

  it('refuses non-admins (403, or 404 where they may not see the room) and the general room (409)', async () => {
    expect((await call(a.url, member, 'POST', '/api/rooms', { title: 'Hideout', kind: 'closed' })).status).toBe(201);
    expect((await call(a.url, member, 'DELETE', '/api/rooms/hideout')).status).toBe(403);
    expect((await call(a.url, outsider, 'DELETE', '/api/rooms/hideout')).status).toBe(404);
    expect((await call(a.url, member, 'DELETE', '/api/rooms/general')).status).toBe(403);
    const general = await call(a.url, admin, 'DELETE', '/api/rooms/general');
    expect(general.status).toBe(409);
    expect(((await general.json()) as { error: string }).error).toContain('cannot be deleted');
    expect((await call(a.url, admin, 'DELETE', '/api/rooms/no-such-room')).status).toBe(404);
  });

  it('tells every stream carrying the room on every replica, ends the room’s own streams, and removes its text, files and reactions', async () => {
    expect((await call(a.url, member, 'POST', '/api/rooms', { title: 'Doomed', kind: 'open' })).status).toBe(201);
    const up = await call(a.url, member, 'POST', '/rooms/doomed/attachments', 'the file text', { 'content-type': 'application/octet-stream', 'x-filename': 'f.txt' });
    const fileId = ((await up.json()) as { attachment: { id: string } }).attachment.id;
    const posted = await call(a.url, member, 'POST', '/rooms/doomed/messages', { body: 'secret plan @chief', attachments: [fileId] });
    const id = ((await posted.json()) as { message: { id: string } }).message.id;
    expect((await call(a.url, admin, 'POST', `/api/rooms/doomed/messages/${id}/reactions`, { emoji: '👍' })).status).toBe(200);
    await postJson(a.url, member, 'doomed', 'another secret');
    await eventually(() => call(b.url, member, 'GET', '/api/rooms/doomed/messages').then((r) => r.json() as Promise<{ messages: unknown[] }>), (v) => v.messages?.length === 2);

    const roomStream = await openStream(b.url, 'doomed', { cookie: member });
    const everyRoom = await openStream(a.url, '', { cookie: member, path: '/events' });
    const generalStream = await openStream(b.url, 'general', { cookie: member });
    expect([roomStream.status, everyRoom.status, generalStream.status]).toEqual([200, 200, 200]);

    expect((await call(a.url, admin, 'DELETE', '/api/rooms/doomed')).status).toBe(204);
    const deleted = (s: typeof roomStream) => s.events.find((e) => e.event === 'room' && (e.message as unknown as { change: string }).change === 'deleted');
    await eventually(() => [deleted(roomStream), deleted(everyRoom)], (v) => v.every(Boolean), 5000);
    expect(deleted(everyRoom)!.message).toMatchObject({ room: 'doomed', change: 'deleted' });
    await Promise.race([roomStream.ended, new Promise((_, no) => setTimeout(() => no(new Error('the room stream did not end')), 5000))]);
    // Streams of other rooms stay open and hear nothing of it.
    expect(generalStream.events.some((e) => e.event === 'room')).toBe(false);
    everyRoom.close();
    generalStream.close();

    expect(await count(`SELECT count(*)::int AS n FROM messages m JOIN rooms r ON r.id = m.room_id WHERE r.slug = $1`, 'doomed')).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM attachments a JOIN rooms r ON r.id = a.room_id WHERE r.slug = $1`, 'doomed')).toBe(0);
    const [left] = await a.sql<{ n: number }[]>`
      SELECT ((SELECT count(*) FROM messages WHERE body LIKE '%secret%') + (SELECT count(*) FROM reactions WHERE message_id = ${id})
        + (SELECT count(*) FROM mentions WHERE message_id = ${id}) + (SELECT count(*) FROM attachment_chunks WHERE attachment_id = ${fileId}))::int AS n`;
    expect(left!.n).toBe(0);
    const [audit] = await a.sql<{ change: string; by: string }[]>`
      SELECT a.change, u.name AS by FROM room_audit a JOIN rooms r ON r.id = a.room_id JOIN users u ON u.id = a.actor_id WHERE r.slug = 'doomed'`;
    expect(audit).toEqual({ change: 'deleted', by: 'chief' });
  });

  it('answers 404 on every route of the deleted room, on every replica, and lists and search forget it', async () => {
    for (const base of [a.url, b.url]) {
      const paths: [string, string, unknown?][] = [
        ['GET', '/rooms/doomed'], ['GET', '/rooms/doomed/settings'], ['GET', '/api/rooms/doomed/messages'], ['GET', '/rooms/doomed/events'],
        ['POST', '/api/rooms/doomed/messages', { body: 'back?' }], ['POST', '/rooms/doomed/messages', { body: 'back?' }],
        ['PATCH', '/api/rooms/doomed', { title: 'Back' }], ['DELETE', '/api/rooms/doomed'], ['POST', '/api/rooms/doomed/read', { cursor: 'x' }],
      ];
      for (const [method, path, body] of paths) {
        const res = await eventually(() => call(base, admin, method, path, body), (r) => r.status === 404);
        expect(res.status, `${method} ${path}`).toBe(404);
      }
      const list = (await (await call(base, member, 'GET', '/api/rooms')).json()) as { rooms: { slug: string }[] };
      expect(list.rooms.map((r) => r.slug)).not.toContain('doomed');
      expect(await (await call(base, member, 'GET', '/', undefined, { accept: 'text/html' })).text()).not.toContain('/rooms/doomed');
      const found = (await (await call(base, member, 'GET', '/api/search?q=secret')).json()) as { results: unknown[] };
      expect(found.results).toEqual([]);
    }
    // The slug stays the tombstone's: a new room of the same title gets another.
    const again = await call(a.url, member, 'POST', '/api/rooms', { title: 'Doomed' });
    expect(((await again.json()) as { room: { slug: string } }).room.slug).not.toBe('doomed');
  });

  it('deletes from the room’s settings page without JavaScript, after the box is ticked', async () => {
    expect((await call(a.url, member, 'POST', '/api/rooms', { title: 'Scratch' })).status).toBe(201);
    const page = await (await call(a.url, admin, 'GET', '/rooms/scratch/settings', undefined, { accept: 'text/html' })).text();
    expect(page).toContain('action="/rooms/scratch/delete"');
    const form = { 'content-type': 'application/x-www-form-urlencoded', origin: a.url, accept: 'text/html' };
    expect((await call(a.url, admin, 'POST', '/rooms/scratch/delete', '', form)).status).toBe(400);
    expect((await call(a.url, member, 'POST', '/rooms/scratch/delete', 'confirm=yes', form)).status).toBe(403);
    const done = await call(a.url, admin, 'POST', '/rooms/scratch/delete', 'confirm=yes', form);
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/admin/rooms?done=deleted');
    expect((await call(a.url, admin, 'GET', '/rooms/scratch', undefined, { accept: 'text/html' })).status).toBe(404);
  });

  it('leaves deleted rooms out of an export, which imports whole', async () => {
    const archive = path.join(mkdtempSync(path.join(tmpdir(), 'room-delete-')), 'instance.tar');
    const out = createWriteStream(archive);
    await exportInstance(a.sql, out);
    out.end();
    await finished(out);
    const bytes = readFileSync(archive);
    for (const gone of ['"doomed"', '"scratch"', 'secret plan', 'Hideout']) expect(bytes.includes(gone), gone).toBe(gone === 'Hideout');
    const target = connect(await freshDatabase(), { max: 2 });
    try {
      await importInstance(target, createReadStream(archive));
      const slugs = (await target<{ slug: string }[]>`SELECT slug FROM rooms ORDER BY slug`).map((r) => r.slug);
      expect(slugs).toContain('hideout');
      expect(slugs).not.toContain('doomed');
    } finally {
      await target.end();
    }
  });
});
