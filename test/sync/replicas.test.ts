import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';
import { openStream, postJson, signIn, type EventStream } from '../support/client.ts';

const ROOMS = ['general', 'help'];
const PER_REPLICA = 100;

describe('three replicas on one database', () => {
  let replicas: Replica[];
  beforeAll(async () => {
    const db = await freshDatabase();
    replicas = await Promise.all([0, 1, 2].map(() => startReplica(db, { rateLimitMessages: null })));
  });
  afterAll(() => Promise.all(replicas.map((r) => r.close())));

  it('deliver hundreds of concurrent posts to every stream on every replica exactly once, in the same order', async () => {
    const streams = new Map<string, EventStream[]>(ROOMS.map((room) => [room, []]));
    const cookies: string[] = [];
    for (const r of replicas) cookies.push(await signIn(r.url));
    const cookie = cookies[0]!;
    for (const r of replicas) for (const room of ROOMS) streams.get(room)!.push(await openStream(r.url, room, { cookie }));

    const accepted = new Map<string, string[]>(ROOMS.map((room) => [room, []]));
    await Promise.all(
      replicas.map(async (r, i) => {
        // Eight posts in flight per replica, alternating rooms.
        await Promise.all(
          Array.from({ length: 8 }, async (_, lane) => {
            for (let n = lane; n < PER_REPLICA; n += 8) {
              const room = ROOMS[n % ROOMS.length]!;
              const res = await postJson(r.url, cookies[i]!, room, `r${i} n${n}`);
              expect(res.status).toBe(201);
              accepted.get(room)!.push(((await res.json()) as { message: { id: string } }).message.id);
            }
          }),
        );
      }),
    );

    for (const room of ROOMS) {
      const expected = accepted.get(room)!;
      const orders = await Promise.all(
        streams.get(room)!.map(async (s) => (await s.waitFor(expected.length)).map((e) => e.message.id)),
      );
      await new Promise((r) => setTimeout(r, 200));
      for (const order of orders) {
        expect(order).toHaveLength(expected.length);
        expect(new Set(order).size).toBe(order.length);
        expect(order).toEqual(orders[0]);
      }
      expect([...orders[0]!].sort()).toEqual([...expected].sort());

      const history = await fetch(`${replicas[1]!.url}/api/rooms/${room}/messages?limit=500`, { headers: { cookie } }).then((r) => r.json() as Promise<unknown>);
      expect((history as { messages: { id: string }[] }).messages.map((m) => m.id)).toEqual(orders[0]);
      const events = streams.get(room)![0]!.events;
      expect(events.every((e) => e.id === e.message.cursor)).toBe(true);
    }
    for (const list of streams.values()) for (const s of list) s.close();
  });
});
