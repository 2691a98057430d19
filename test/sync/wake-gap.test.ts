import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wakeGap } from '../../src/sync/wake-gap.ts';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';

const counter = async (r: Replica, name: string) => Number(new RegExp(`^${name}\\{[^}]*\\} (\\d+)`, 'm').exec(await r.chat.metrics.render())?.[1] ?? 0);
const counts = async (r: Replica) => ({ polls: await counter(r, 'chat_polls_total'), rows: await counter(r, 'chat_messages_polled_total') });

describe('wake-ups under load', () => {
  it('polls at once after a lone row, and waits longer the more rows the last poll returned, up to the most allowed', () => {
    expect([0, 1].map((n) => wakeGap(n, 50))).toEqual([0, 0]);
    expect(wakeGap(11, 50)).toBeGreaterThan(wakeGap(3, 50));
    expect(wakeGap(500, 50)).toBe(50);
    expect(wakeGap(500, 0)).toBe(0);
  });

  describe('two replicas on one database, one polling at every wake-up and one with the gap', () => {
    let every: Replica;
    let gapped: Replica;
    beforeAll(async () => {
      const db = await freshDatabase();
      // Ticks a second apart: nearly every poll below is a wake-up's.
      [every, gapped] = await Promise.all([
        startReplica(db, { pollIntervalMs: 1000, pollWakeGapMs: 0 }),
        startReplica(db, { pollIntervalMs: 1000, pollWakeGapMs: 200 }),
      ]);
    });
    afterAll(() => Promise.all([every?.close(), gapped?.close()]));

    it('polls a busy log in batches, a fraction as often, and reads every message', async () => {
      const before = await Promise.all([counts(every), counts(gapped)]);
      const [room] = await every.sql<{ id: number }[]>`SELECT id FROM rooms WHERE slug = 'general'`;
      const [user] = await every.sql<{ id: string }[]>`INSERT INTO users (name, password_hash) VALUES ('storm', 'none') RETURNING id`;
      // Four writers committing one message at a time for 1.5 s, each with the NOTIFY a post sends.
      let commits = 0;
      const end = Date.now() + 1500;
      await Promise.all(Array.from({ length: 4 }, async (_, w) => {
        while (Date.now() < end) {
          await every.sql.begin(async (tx) => {
            await tx`INSERT INTO messages (room_id, author_id, body) VALUES (${room!.id}, ${user!.id}, ${`storm ${w}.${commits++}`})`;
            await tx`SELECT pg_notify('chat_messages', '')`;
          });
        }
      }));
      const [last] = await every.sql<{ id: string }[]>`SELECT max(id)::text AS id FROM messages`;
      for (const r of [every, gapped]) {
        for (const until = Date.now() + 10_000; r.chat.hub.head.id < BigInt(last!.id) && Date.now() < until;) await new Promise((ok) => setTimeout(ok, 20));
        expect(r.chat.hub.head.id).toBe(BigInt(last!.id));
      }
      const after = await Promise.all([counts(every), counts(gapped)]);
      const [n, m] = [after[0].polls - before[0].polls, after[1].polls - before[1].polls];
      console.log(`polls for ${commits} commits in 1.5 s: ${n} polling at every wake-up, ${m} with a gap of up to 200 ms`);
      expect(m).toBeLessThan(n / 2);
      expect([after[0].rows - before[0].rows, after[1].rows - before[1].rows]).toEqual([commits, commits]);
    });
  });
});
