import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Sql } from '../../src/db/connect.ts';
import { silentLogger } from '../../src/ops/log.ts';
import { createDispatcher, type Planner } from '../../src/outbox/dispatcher.ts';
import { migrateQueue } from '../../src/outbox/queue.ts';
import { freshDatabase } from '../support/db.ts';

// The log is the outbox: three dispatchers (one per replica) over one log, no workers running, so
// every job they add stays in graphile-worker's table to be counted.
let url: string;
let pools: Sql[];
let author: string;
let room: number;

const perMessage: Planner = (_tx, rows) => Promise.resolve(
  rows.filter((r) => r.kind === 'message').map((r) => ({ task: 'test', key: `test:${r.messageId}`, payload: { message: r.messageId } })));

async function post(sql: Sql, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await sql`INSERT INTO messages (room_id, author_id, body) VALUES (${room}, ${author}, ${`m${i}`})`;
}

// The log releases a row only once every older transaction has ended, cluster-wide: under load
// (other test files' databases share the cluster) a pass may find nothing yet. Passes are retried
// until the jobs arrive, never assumed done after one empty pass.
async function drainUntil(d: { dispatchOnce(): Promise<number | null> }, total: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while ((await jobs(pools[0]!)).total < total && Date.now() < deadline) {
    if ((await d.dispatchOnce()) === 0) await new Promise((r) => setTimeout(r, 20));
  }
}

/** Starts passes until one reaches its planner (which then never returns): an empty log is retried. */
async function passUntilPlanned(pass: () => Promise<unknown>, planned: Promise<void>): Promise<{ running: Promise<unknown> }> {
  for (;;) {
    const running = pass().catch(() => null);
    // Wrapped: an async function returning the promise itself would wait for it.
    if ((await Promise.race([running.then(() => 'empty'), planned.then(() => 'planned')])) === 'planned') return { running };
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function jobs(sql: Sql): Promise<{ total: number; keys: number }> {
  const [r] = await sql<{ total: number; keys: number }[]>`
    SELECT count(*)::int AS total, count(DISTINCT key)::int AS keys FROM graphile_worker._private_jobs WHERE task_id = (SELECT id FROM graphile_worker._private_tasks WHERE identifier = 'test')`;
  return r!;
}

beforeAll(async () => {
  url = await freshDatabase();
  await migrateQueue(url);
  pools = [connect(url), connect(url), connect(url)];
  author = (await pools[0]!<{ id: string }[]>`INSERT INTO users (name, password_hash) VALUES ('writer', 'x') RETURNING id::text`)[0]!.id;
  room = (await pools[0]!<{ id: number }[]>`SELECT id FROM rooms WHERE slug = 'general'`)[0]!.id;
});

afterAll(async () => {
  for (const p of pools ?? []) await p.end({ timeout: 1 });
});

describe('the outbox dispatcher', () => {
  it('adds each message\'s job exactly once while three dispatchers race over a log that 8 writers fill', async () => {
    const dispatchers = pools.map((sql) => createDispatcher({ sql, planners: [perMessage], log: silentLogger, batch: 50 }));
    await dispatchers[0]!.start();
    await dispatchers[0]!.stop(); // made the cursor at the head; passes below are driven by hand
    let writing = true;
    const writers = Promise.all(Array.from({ length: 8 }, (_, i) => post(pools[i % 3]!, 50))).finally(() => (writing = false));
    let skipped = 0;
    await Promise.all(dispatchers.map(async (d) => {
      while (writing || (await d.dispatchOnce()) !== 0) {
        if ((await d.dispatchOnce()) === null) skipped++;
      }
    }));
    await writers;
    await drainUntil(dispatchers[0]!, 400);
    expect(await jobs(pools[0]!)).toEqual({ total: 400, keys: 400 });
    expect(skipped).toBeGreaterThan(0); // they did run into each other's lock
  });

  it('loses nothing when the replica holding the lock freezes and its connection dies mid-pass', async () => {
    const before = (await jobs(pools[0]!)).total;
    let pid = 0;
    let planned = () => {};
    const inPass = new Promise<void>((r) => (planned = r));
    // Planned, then frozen for good before adding anything: a replica SIGKILLed mid-pass.
    const frozen: Planner = async (tx) => {
      pid = (await tx<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`)[0]!.pid;
      planned();
      return new Promise(() => {});
    };
    const victim = createDispatcher({ sql: pools[1]!, planners: [frozen], log: silentLogger });
    await post(pools[0]!, 20);
    void passUntilPlanned(() => victim.dispatchOnce(), inPass);
    await inPass;
    const heir = createDispatcher({ sql: pools[2]!, planners: [perMessage], log: silentLogger });
    expect(await heir.dispatchOnce()).toBeNull(); // the lock is still held
    await pools[0]!`SELECT pg_terminate_backend(${pid})`;
    await drainUntil(heir, before + 20);
    expect(await jobs(pools[0]!)).toEqual({ total: before + 20, keys: before + 20 });
  });

  it('lets only one replica in at a time: another pass returns at once while one holds the lock', async () => {
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    let entered = () => {};
    const inside = new Promise<void>((r) => (entered = r));
    const slow: Planner = async (tx, rows) => {
      entered();
      await held;
      return perMessage(tx, rows);
    };
    await post(pools[0]!, 1);
    const slowOne = createDispatcher({ sql: pools[0]!, planners: [slow], log: silentLogger });
    const { running: first } = await passUntilPlanned(() => slowOne.dispatchOnce(), inside);
    expect(await createDispatcher({ sql: pools[1]!, planners: [perMessage], log: silentLogger }).dispatchOnce()).toBeNull();
    release();
    expect(await first).toBe(1);
  });
});
