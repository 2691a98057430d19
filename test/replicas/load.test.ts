import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Sql } from '../../src/db/connect.ts';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';
import { signIn, openStream, type EventStream } from '../support/client.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('database load', () => {
  let r: Replica;
  let probe: Sql;
  beforeAll(async () => {
    const db = await freshDatabase();
    r = await startReplica(db, { pollIntervalMs: 50, streamLimitUser: null, streamLimitAddress: null });
    probe = connect(db, { max: 1 });
  });
  afterAll(async () => {
    await probe.end();
    await r.close();
  });

  /** Transactions committed in this database per second, over a window (the statistics lag a little). */
  async function commitsPerSecond(ms: number): Promise<number> {
    const read = async () => {
      await probe`SELECT pg_stat_clear_snapshot()`;
      return Number((await probe<{ n: string }[]>`SELECT xact_commit AS n FROM pg_stat_database WHERE datname = current_database()`)[0]!.n);
    };
    await sleep(1100);
    const before = await read();
    await sleep(ms);
    await sleep(1100);
    return ((await read()) - before) / ((ms + 1100) / 1000);
  }

  it('follows replicas, not streams: 300 idle streams add no queries per second', async () => {
    const idle = await commitsPerSecond(2000);
    const streams: EventStream[] = [];
    const cookie = await signIn(r.url);
    for (let i = 0; i < 300; i += 50) {
      streams.push(...(await Promise.all(Array.from({ length: 50 }, (_, j) => openStream(r.url, ['general', 'help', 'ops'][(i + j) % 3]!, { cookie })))));
    }
    expect(r.chat.streams.size).toBe(300);
    const busy = await commitsPerSecond(2000);
    console.log(`database commits per second: ${idle.toFixed(1)} with no streams, ${busy.toFixed(1)} with 300 idle streams`);
    for (const s of streams) s.close();
    expect(idle).toBeGreaterThan(5);
    expect(busy).toBeLessThan(idle * 1.25 + 2);
  });
});
