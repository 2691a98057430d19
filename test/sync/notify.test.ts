import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Sql } from '../../src/db/connect.ts';
import { CHANNEL, createNotifier, HINT_SPACING_MS } from '../../src/sync/notify.ts';
import { silentLogger } from '../../src/ops/log.ts';
import { freshDatabase } from '../support/db.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the wake-up hint', () => {
  let sql: Sql;
  let listener: Sql;
  const heard: number[] = [];
  let unlisten: () => Promise<void>;
  beforeAll(async () => {
    const url = await freshDatabase();
    sql = connect(url, { max: 2 });
    listener = connect(url, { max: 1 });
    const sub = await listener.listen(CHANNEL, () => heard.push(performance.now()));
    unlisten = () => sub.unlisten();
  });
  afterAll(async () => {
    await unlisten?.();
    await listener?.end();
    await sql?.end();
  });

  it('sends one NOTIFY per 10 ms at most however many posts hint, and a last one after the final hint', async () => {
    const notifier = createNotifier(sql, true, silentLogger);
    heard.length = 0;
    const started = performance.now();
    // 600 hints over about 300 ms, as a replica under load sends one per committed post.
    for (let i = 0; i < 300; i++) {
      notifier.hint();
      notifier.hint();
      await sleep(1);
    }
    const took = performance.now() - started;
    await expect.poll(() => heard.length, { timeout: 5000 }).toBeGreaterThan(1);
    await sleep(300);
    // Timers that run late only space hints further apart.
    expect(heard.length).toBeLessThanOrEqual(Math.ceil(took / HINT_SPACING_MS) + 2);
    // The hints after the last NOTIFY sent are covered by one more: the last one is heard after the final hint.
    expect(heard.at(-1)!).toBeGreaterThanOrEqual(started + took - HINT_SPACING_MS);
  });

  it('sends a lone hint at once, and nothing when NOTIFY is off', async () => {
    heard.length = 0;
    await sleep(50);
    createNotifier(sql, true, silentLogger).hint();
    await expect.poll(() => heard.length, { timeout: 5000 }).toBe(1);
    createNotifier(sql, false, silentLogger).hint();
    await sleep(200);
    expect(heard.length).toBe(1);
  });
});
