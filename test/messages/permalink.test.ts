import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Sql } from '../../src/db/connect.ts';
import { signIn } from '../support/client.ts';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';

// Every message has an address that shows it highlighted among its neighbours, however old.
let r: Replica;
let db: Sql;
let cookie: string;
let ids: string[];

const page = (path: string, as = cookie) => fetch(`${r.url}${path}`, { redirect: 'manual', headers: { accept: 'text/html', cookie: as } });
const shown = (html: string) => [...html.matchAll(/<li class="message[^"]*" id="m-(\d+)"/g)].map((m) => m[1]!);
const linked = (html: string) => [...html.matchAll(/<li class="message linked[^"]*" id="m-(\d+)" aria-current="true"/g)].map((m) => m[1]!);

beforeAll(async () => {
  const url = await freshDatabase();
  r = await startReplica(url);
  db = connect(url, { max: 1 });
  cookie = await signIn(r.url, 'alice');
  // 200 old messages in one go; then one in another room.
  ids = (await db<{ id: string }[]>`
    INSERT INTO messages (room_id, author_id, body, created_at)
    SELECT (SELECT id FROM rooms WHERE slug = 'help'), (SELECT id FROM users WHERE name = 'alice'), 'message ' || n, now() - interval '300 days' + n * interval '1 minute'
    FROM generate_series(1, 200) n RETURNING id::text`).map((x) => x.id);
  await db`INSERT INTO messages (room_id, author_id, body) SELECT (SELECT id FROM rooms WHERE slug = 'ops'), id, 'elsewhere' FROM users WHERE name = 'alice'`;
});
afterAll(async () => {
  await db?.end();
  await r?.close();
});

describe('permalinks', () => {
  it('shows an old message highlighted with 25 older and 24 newer around it, and links to the pages on both sides', async () => {
    const res = await page(`/rooms/help/messages/${ids[99]}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(shown(html)).toEqual(ids.slice(74, 124));
    expect(linked(html)).toEqual([ids[99]]);
    const older = /href="(\/rooms\/help\?before=[^"#]+)[^"]*" rel="prev"/.exec(html)![1]!;
    const newer = /href="(\/rooms\/help\?before=[^"]+)" rel="next"/.exec(html)![1]!;
    expect(shown(await (await page(older.replaceAll('&amp;', '&'))).text())).toEqual(ids.slice(24, 74));
    expect(shown(await (await page(newer.replaceAll('&amp;', '&'))).text())).toEqual(ids.slice(124, 174));
  });

  it('shows the oldest and the newest messages on pages that end where the room does', async () => {
    const first = await (await page(`/rooms/help/messages/${ids[0]}`)).text();
    expect(shown(first)).toEqual(ids.slice(0, 25));
    expect(first).not.toContain('rel="prev"');
    const last = await (await page(`/rooms/help/messages/${ids[199]}`)).text();
    expect(shown(last)).toEqual(ids.slice(150, 200));
    expect(linked(last)).toEqual([ids[199]]);
    expect(last).not.toContain('rel="next"');
    expect(last).toContain('href="/rooms/help#latest"');
  });

  it('gives each message a time that links to its address and an actions button that knows it', async () => {
    const html = await (await page(`/rooms/help/messages/${ids[10]}`)).text();
    expect(html).toContain(`<a class="permalink" href="/rooms/help/messages/${ids[10]}#m-${ids[10]}"><time`);
    expect(html).toContain(`data-link="/rooms/help/messages/${ids[10]}#m-${ids[10]}"><span aria-hidden="true">⋯</span><span class="sr-only">Message actions</span></button>`);
  });

  it('answers 404 for a message of another room, one that does not exist, and a room the caller may not read', async () => {
    const elsewhere = (await db<{ id: string }[]>`SELECT id::text FROM messages WHERE body = 'elsewhere'`)[0]!.id;
    for (const path of [`/rooms/help/messages/${elsewhere}`, '/rooms/help/messages/999999999', '/rooms/help/messages/abc', '/rooms/help/messages/99999999999999999999']) {
      expect((await page(path)).status, path).toBe(404);
    }
    const owner = await signIn(r.url, 'bob');
    const made = await fetch(`${r.url}/api/rooms`, { method: 'POST', headers: { cookie: owner, 'content-type': 'application/json' }, body: JSON.stringify({ title: 'Closed', kind: 'closed' }) });
    const posted = await fetch(`${r.url}/rooms/closed/messages`, { method: 'POST', headers: { cookie: owner, 'content-type': 'application/json' }, body: JSON.stringify({ body: 'hidden' }) });
    expect([made.status, posted.status]).toEqual([201, 201]);
    const id = ((await posted.json()) as { message: { id: string } }).message.id;
    expect((await page(`/rooms/closed/messages/${id}`, owner)).status).toBe(200);
    expect((await page(`/rooms/closed/messages/${id}`)).status).toBe(404);
    expect((await page(`/rooms/closed/messages/${id}`, '')).status).toBe(303);
  });
});
