import { describe, expect, it } from 'vitest';
import { createHashQueue } from '../../src/accounts/hash-queue.ts';

const job = (ms: number, log: string[], name: string) => () =>
  new Promise<string>((done) => setTimeout(() => {
    log.push(name);
    done(name);
  }, ms));

describe('the password-hashing queue', () => {
  it('runs at most its concurrency plus the one slot for a quiet client, and refuses past the line with Retry-After', async () => {
    const q = createHashQueue({ maxWaiting: 3, concurrency: 2 });
    const log: string[] = [];
    let peak = 0;
    const watch = setInterval(() => (peak = Math.max(peak, q.running)), 1);
    const runs = Array.from({ length: 10 }, (_, i) => q.run('loop', job(20, log, `loop${i}`)));
    const refused = (await Promise.all(runs)).filter((r) => !r.ok);
    clearInterval(watch);
    // Two slots, the quiet client's slot (taken by the loop's first extra job: it had hashed
    // nothing yet), three in line; the other four are refused.
    expect(peak).toBeLessThanOrEqual(3);
    expect(refused).toHaveLength(4);
    for (const r of refused) expect(r.ok === false && r.retryAfterS >= 1).toBe(true);
    expect(log).toHaveLength(6);
  });

  it("serves the client who hashed least lately first, not the one who queued first", async () => {
    const q = createHashQueue({ maxWaiting: 100, concurrency: 1 });
    const log: string[] = [];
    // A loop has hashed a lot already.
    for (let i = 0; i < 3; i++) await q.run('loop', job(10, log, 'warm'));
    const loop = Array.from({ length: 4 }, (_, i) => q.run('loop', job(10, log, `loop${i}`)));
    const other = q.run('someone', job(10, log, 'someone'));
    const late = q.run('someone-else', job(10, log, 'someone-else'));
    await Promise.all([...loop, other, late]);
    // loop0 was running and someone took the quiet client's slot; someone-else, queued after three
    // of the loop's jobs, still comes before them.
    expect(new Set(log.slice(3, 5))).toEqual(new Set(['loop0', 'someone']));
    expect(log[5]).toBe('someone-else');
    expect(log.indexOf('someone-else')).toBeLessThan(log.indexOf('loop1'));
  });

  it('lets a client who has hashed nothing lately start at once beside a loop that fills every slot', async () => {
    const q = createHashQueue({ maxWaiting: 100, concurrency: 1 });
    const log: string[] = [];
    for (let i = 0; i < 2; i++) await q.run('loop', job(30, log, 'warm'));
    const loop = Array.from({ length: 5 }, (_, i) => q.run('loop', job(30, log, `loop${i}`)));
    const started = performance.now();
    await q.run('person', job(30, log, 'person'));
    expect(performance.now() - started).toBeLessThan(60);
    await Promise.all(loop);
    expect(log.indexOf('person')).toBeLessThan(log.indexOf('loop1'));
  });
});
