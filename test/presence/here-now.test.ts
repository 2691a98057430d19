import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn } from '../support/client.ts';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';
import { presenceOf, watchPresence } from './watch.ts';

// Stated in Documentation/presence.md: a change shows on the replica that has it at once (0.1 s), and
// on every other one within one heartbeat. The slack is for a busy two-core test machine.
const INTERVAL = 500;
const BOUND = 100 + INTERVAL + 700;

describe('who is here, on three replicas sharing one database', () => {
  let a: Replica, b: Replica, c: Replica;
  let alice: string, bob: string;
  beforeAll(async () => {
    const db = await freshDatabase();
    [a, b, c] = (await Promise.all([1, 2, 3].map(() => startReplica(db, { presenceIntervalMs: INTERVAL })))) as [Replica, Replica, Replica];
    alice = await signIn(a.url, `alice${process.pid}`);
    bob = await signIn(b.url, `bob${process.pid}`);
  });
  afterAll(async () => {
    await Promise.all([a, b, c].map((r) => r?.close()));
  });

  it('shows a person who opens a room as here on every replica within one heartbeat, and not once they close it; other rooms\' streams hear nothing of it', async () => {
    const name = `alice${process.pid}`;
    // Bob watches #general on B through its own stream and on C through the every-room stream; his
    // every-room stream on A shows #help, and hears nothing of #general.
    const onB = await watchPresence(b.url, '/rooms/general/events', bob);
    const onC = await watchPresence(c.url, '/events?room=general', bob);
    const elsewhere = await watchPresence(a.url, '/events?room=help', bob);
    const opened = Date.now();
    const tab = await watchPresence(a.url, '/events?room=general', alice);
    expect(tab.status).toBe(200);
    const seen = await Promise.all([onB, onC, tab].map((w) => w.until('general', (p) => p.includes(name), BOUND)));
    console.log(`here: shown on every replica after ${Math.max(...seen) - opened} ms (heartbeat ${INTERVAL} ms)`);
    for (const r of [a, b, c]) expect(await presenceOf(r.url, 'general', bob)).toContain(name);
    const page = await (await fetch(`${c.url}/rooms/general`, { headers: { cookie: bob } })).text();
    expect(page).toMatch(new RegExp(`class="here-people"[^]*<bdi>${name}</bdi>`));

    const closed = Date.now();
    tab.close();
    const gone = await Promise.all([onB, onC].map((w) => w.until('general', (p) => !p.includes(name), BOUND)));
    console.log(`here: gone from every replica after ${Math.max(...gone) - closed} ms`);
    for (const r of [a, b, c]) expect(await presenceOf(r.url, 'general', bob)).not.toContain(name);
    expect(elsewhere.rooms.has('general')).toBe(false);
    expect(elsewhere.rooms.get('help')?.people).toEqual([`bob${process.pid}`]);
    for (const w of [onB, onC, elsewhere]) w.close();
  });

  it('keeps a person here while one of their two tabs on two replicas stays open', async () => {
    const name = `alice${process.pid}`;
    const watch = await watchPresence(c.url, '/rooms/general/events', bob);
    const tab1 = await watchPresence(a.url, '/rooms/general/events', alice);
    const tab2 = await watchPresence(b.url, '/events?room=general', alice);
    await watch.until('general', (p) => p.includes(name), BOUND);
    tab1.close();
    await new Promise((r) => setTimeout(r, BOUND));
    expect(watch.rooms.get('general')!.people).toContain(name);
    expect(await presenceOf(a.url, 'general', bob)).toContain(name);
    tab2.close();
    await watch.until('general', (p) => !p.includes(name), BOUND);
    watch.close();
  });

  it('counts nobody in a room the stream names but its reader may not read, and tells outsiders nothing of it', async () => {
    const carol = await signIn(a.url, `carol${process.pid}`);
    const made = await fetch(`${a.url}/api/rooms`, {
      method: 'POST', headers: { 'content-type': 'application/json', cookie: carol },
      body: JSON.stringify({ title: `Secret ${process.pid}`, kind: 'closed' }),
    });
    const { room } = (await made.json()) as { room: { slug: string } };
    const outsider = await watchPresence(b.url, `/events?room=${room.slug}`, bob);
    const inside = await watchPresence(a.url, `/rooms/${room.slug}/events`, carol);
    await inside.until(room.slug, (p) => p.includes(`carol${process.pid}`), BOUND);
    await new Promise((r) => setTimeout(r, INTERVAL + 200));
    expect(inside.rooms.get(room.slug)!.people).toEqual([`carol${process.pid}`]);
    expect(outsider.rooms.has(room.slug)).toBe(false);
    expect((await fetch(`${b.url}/api/rooms/${room.slug}/presence`, { headers: { cookie: bob } })).status).toBe(404);
    outsider.close();
    inside.close();
  });

  it('stops counting a person removed from a closed room within one heartbeat, though their every-room stream stays open', async () => {
    const [erin, frank] = [`erin${process.pid}`, `frank${process.pid}`];
    const erinCookie = await signIn(a.url, erin);
    const frankCookie = await signIn(b.url, frank);
    const made = await fetch(`${a.url}/api/rooms`, {
      method: 'POST', headers: { 'content-type': 'application/json', cookie: erinCookie },
      body: JSON.stringify({ title: `Plans ${process.pid}`, kind: 'closed', members: [frank] }),
    });
    const { room } = (await made.json()) as { room: { slug: string } };
    const watch = await watchPresence(a.url, `/rooms/${room.slug}/events`, erinCookie);
    const tab = await watchPresence(b.url, `/events?room=${room.slug}`, frankCookie);
    await watch.until(room.slug, (p) => p.includes(frank), BOUND);
    const removed = await fetch(`${a.url}/api/rooms/${room.slug}/members/${frank}`, { method: 'DELETE', headers: { cookie: erinCookie, 'content-type': 'application/json' } });
    expect(removed.status).toBe(204);
    await watch.until(room.slug, (p) => !p.includes(frank), BOUND + INTERVAL);
    expect(await presenceOf(c.url, room.slug, erinCookie)).toEqual([erin]);
    watch.close();
    tab.close();
  });
});
