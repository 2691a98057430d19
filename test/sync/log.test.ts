import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';
import { eventually, openStream, postJson, signIn, type EventStream } from '../support/client.ts';

const SECRET = 'the password is hunter2';

describe('three replicas, one history: post on A, edit on B, react on C, delete on A', () => {
  let replicas: Replica[];
  let cookie: string;
  let before: string;
  let live: EventStream[];
  let messageId: string;
  beforeAll(async () => {
    const db = await freshDatabase();
    // C keeps only 3 events per room in memory, so resuming there reads the log from the database.
    replicas = await Promise.all([{}, {}, { feedCapacity: 3 }].map((o) => startReplica(db, { rateLimitMessages: null, ...o })));
    cookie = await signIn(replicas[0]!.url);
    await postJson(replicas[0]!.url, cookie, 'general', 'warm-up');
    const page = await eventually(
      async () => (await (await fetch(`${replicas[1]!.url}/api/rooms/general/messages`, { headers: { cookie } })).json()) as { cursor: string; messages: unknown[] },
      (p) => p.messages.length === 1,
    );
    before = page.cursor;
    live = await Promise.all(replicas.flatMap((r) => [openStream(r.url, 'general', { cookie }), fetchEvents(r.url, cookie)]));

    const [a, b, c] = replicas.map((r) => r.url) as [string, string, string];
    const posted = (await (await postJson(a, cookie, 'general', SECRET)).json()) as { message: { id: string } };
    messageId = posted.message.id;
    const call = (base: string, method: string, path: string, body?: unknown) =>
      fetch(`${base}${path}`, { method, headers: { cookie, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    expect((await call(b, 'PATCH', `/api/rooms/general/messages/${messageId}`, { body: `${SECRET} (edited)` })).status).toBe(200);
    expect((await call(c, 'POST', `/api/rooms/general/messages/${messageId}/reactions`, { emoji: '👍' })).status).toBe(200);
    expect((await call(a, 'DELETE', `/api/rooms/general/messages/${messageId}`)).status).toBe(204);
  });
  afterAll(async () => {
    for (const s of live ?? []) s.close();
    await Promise.all((replicas ?? []).map((r) => r.close()));
  });

  const sequence = (s: EventStream) => s.events.filter((e) => (e.message as { id?: string }).id === messageId).map((e) => e.event);

  it('every stream on every replica, room streams and /events alike, gets the four events once each, in the same order', async () => {
    for (const s of live) await s.waitFor(4 + s.events.filter((e) => (e.message as { id?: string }).id !== messageId).length, 5000).catch(() => {});
    const orders = live.map((s) => s.events.filter((e) => (e.message as { id?: string }).id === messageId).map((e) => `${e.event}@${e.id}`));
    for (const order of orders) expect(order).toEqual(orders[0]);
    expect(sequence(live[0]!)).toEqual(['message', 'edit', 'reaction', 'delete']);
  });

  it('a stream resumed from before the post ends in the same state on every replica, from memory or the database, and never shows the deleted text', async () => {
    for (const r of replicas) {
      for (const path of ['room', 'all'] as const) {
        const s = path === 'room' ? await openStream(r.url, 'general', { cookie, lastEventId: before }) : await fetchEvents(r.url, cookie, before);
        // Catch-up coalesces (a message's latest state once), so wait for the state, not a count;
        // then a moment more, for anything that would wrongly follow it.
        await eventually(() => finalState(s).get(messageId), (m) => (m as { deleted?: boolean } | undefined)?.deleted === true, 5000);
        await new Promise((ok) => setTimeout(ok, 150));
        s.close();
        const text = JSON.stringify(s.events);
        expect(text, `${r.chat.config.replicaName} ${path}`).not.toContain('hunter2');
        const final = finalState(s);
        expect(final.get(messageId), `${r.chat.config.replicaName} ${path}`).toEqual({ deleted: true });
      }
    }
  });

  it('the deleted text is gone from every table of the database', async () => {
    const sql = replicas[0]!.sql;
    const tables = await sql<{ table_name: string }[]>`
      SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`;
    for (const { table_name } of tables) {
      const [row] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM ${sql(table_name)} t WHERE t::text LIKE ${'%hunter2%'}`;
      expect(row!.n, table_name).toBe(0);
    }
    const [m] = await sql<{ body: string | null; deleted_at: Date | null }[]>`SELECT body, deleted_at FROM messages WHERE id = ${messageId}`;
    expect(m).toMatchObject({ body: null });
    expect(m!.deleted_at).not.toBeNull();
  });
});

/** GET /events, parsed like a room stream. */
function fetchEvents(base: string, cookie: string, lastEventId?: string): Promise<EventStream> {
  return openStream(base, '', { cookie, lastEventId, path: '/events' });
}

/** Applies a stream's events in order, as a client would: each message's last known state. */
function finalState(s: EventStream): Map<string, unknown> {
  const state = new Map<string, unknown>();
  for (const e of s.events) {
    const m = e.message as { id: string; body?: string; deleted?: boolean; reactions?: unknown };
    if (e.event === 'message' || e.event === 'edit') state.set(m.id, m.deleted ? { deleted: true } : { body: m.body, reactions: m.reactions });
    if (e.event === 'reaction') state.set(m.id, { ...(state.get(m.id) as object), reactions: m.reactions });
    if (e.event === 'delete') state.set(m.id, { deleted: true });
  }
  return state;
}
