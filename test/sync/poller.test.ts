import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';
import { signIn } from '../support/client.ts';

describe('the poll loop', () => {
  let r: Replica;
  beforeAll(async () => {
    r = await startReplica(await freshDatabase(), { pollIntervalMs: 50 });
  });
  afterAll(() => r.close());

  it('stays fresh and keeps refreshing rooms while wake-ups arrive faster than it polls', async () => {
    const cookie = await signIn(r.url);
    let waking = true;
    const storm = (async () => {
      while (waking) {
        r.chat.poller.wake();
        await new Promise((ok) => setImmediate(ok));
      }
    })();
    await new Promise((ok) => setTimeout(ok, 500));
    await r.sql`INSERT INTO rooms (slug, title) VALUES ('during-storm', 'During the storm')`;
    const ages: number[] = [];
    for (let i = 0; i < 15; i++) {
      await new Promise((ok) => setTimeout(ok, 100));
      ages.push(r.chat.poller.sinceLastPoll());
    }
    const ready = (await fetch(`${r.url}/readyz`)).status;
    const room = (await fetch(`${r.url}/rooms/during-storm`, { headers: { cookie } })).status;
    waking = false;
    await storm;
    expect(Math.max(...ages)).toBeLessThan(1000);
    expect(ready).toBe(200);
    expect(room).toBe(200);
  });
});
