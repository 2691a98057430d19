import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Sql } from '../../src/db/connect.ts';
import { openStream, signIn, type EventStream } from '../support/client.ts';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';

let a: Replica;
let b: Replica;
let sql: Sql;
let ann: string;
let bob: string;

const typing = (base: string, cookie: string, room = 'general') =>
  fetch(`${base}/api/rooms/${room}/typing`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: '{}' });
const typed = (s: EventStream) => s.events.filter((e) => e.event === 'typing').map((e) => e.message as unknown as { room: string; name: string });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function rowCounts(): Promise<Record<string, number>> {
  const tables = await sql<{ s: string; t: string }[]>`SELECT schemaname AS s, tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 2`;
  const counts: Record<string, number> = {};
  for (const { s, t } of tables) counts[t] = Number((await sql.unsafe(`SELECT count(*) AS n FROM "${s}"."${t}"`))[0]!.n);
  return counts;
}

beforeAll(async () => {
  const url = await freshDatabase();
  sql = connect(url);
  a = await startReplica(url);
  b = await startReplica(url);
  ann = await signIn(a.url, 'ann');
  bob = await signIn(b.url, 'bob');
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await sql?.end();
});

describe('typing indicators', () => {
  it('reach the room\'s streams on another replica within a second, never the typist\'s own, and store nothing', async () => {
    const bobsRoom = await openStream(b.url, 'general', { cookie: bob });
    const bobsTab = await openStream(b.url, 'general', { cookie: bob, path: '/events?room=general' });
    const annsTab = await openStream(a.url, 'general', { cookie: ann, path: '/events?room=general' });
    await sleep(500); // presence has written the open tabs: nothing else moves below
    const before = await rowCounts();
    const started = Date.now();
    expect((await typing(a.url, ann)).status).toBe(204);
    await bobsRoom.waitFor(1, 1000);
    await bobsTab.waitFor(1, 1000);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(typed(bobsRoom)).toEqual([{ room: 'general', name: 'ann' }]);
    expect(typed(bobsTab)).toEqual([{ room: 'general', name: 'ann' }]);
    await sleep(300);
    expect(typed(annsTab)).toEqual([]);
    expect(await rowCounts()).toEqual(before);
    for (const s of [bobsRoom, bobsTab, annsTab]) s.close();
  });

  it('is throttled per person: a burst of keystrokes is one event', async () => {
    const bobsRoom = await openStream(b.url, 'general', { cookie: bob });
    await sleep(2100); // past the previous test's announcement
    for (let i = 0; i < 5; i++) expect((await typing(a.url, ann)).status).toBe(204);
    await bobsRoom.waitFor(1, 1000);
    await sleep(500);
    expect(typed(bobsRoom)).toHaveLength(1);
    bobsRoom.close();
  });

  it('answers 401 without a session and 404 for a room the caller may not see', async () => {
    expect((await fetch(`${a.url}/api/rooms/general/typing`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);
    expect((await typing(a.url, ann, 'no-such-room')).status).toBe(404);
  });
});
