import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';
import { register, signInAs } from './helpers.ts';

// Not timed (test/accounts/load.test.ts is): this counts rows, so it runs beside other files.
const from = (address: string) => ({ 'x-forwarded-for': address });
const count = async (r: Replica) => {
  const [row] = await r.sql<{ counters: number; users: number }[]>`
    SELECT (SELECT count(*)::int FROM rate_counters) AS counters, (SELECT count(*)::int FROM users) AS users`;
  return row!;
};

describe('probing for free names (the limits as shipped)', () => {
  let r: Replica;
  beforeAll(async () => {
    r = await startReplica(await freshDatabase(), { trustProxy: true, rateLimitSigninAddress: { max: 50, windowMs: 300_000 }, rateLimitRegister: { max: 20, windowMs: 3_600_000 } });
    await register(r.url, { name: 'admin', password: 'admin password' }, from('10.0.0.1'));
  });
  afterAll(() => r.close());

  it('adds no rows for 5,000 probes of free names, by sign-in and by registration past its limit', async () => {
    await signInAs(r.url, 'nobody-yet', 'some password', from('10.7.0.1'));
    for (let i = 0; i < 21; i++) await register(r.url, { name: `prober${i}`, password: 'some password' }, from('10.7.0.2'));
    const before = await count(r);
    const statuses = new Map<number, number>();
    for (let i = 0; i < 50; i++) {
      const batch = await Promise.all(Array.from({ length: 100 }, (_, j) => {
        const name = `free${i}n${j}`;
        return j % 2 ? signInAs(r.url, name, 'some password', from('10.7.0.1')) : register(r.url, { name, password: 'some password' }, from('10.7.0.2'));
      }));
      for (const res of batch) {
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        await res.arrayBuffer();
      }
    }
    const after = await count(r);
    console.log(`5,000 free-name probes: ${JSON.stringify(Object.fromEntries(statuses))}; rows before ${JSON.stringify(before)}, after ${JSON.stringify(after)}`);
    expect(after).toEqual(before);
  }, 180_000);
});
