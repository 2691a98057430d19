import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { connect, type Sql } from '../../src/db/connect.ts';
import { startHousekeeping } from '../../src/accounts/housekeeping.ts';
import { silentLogger } from '../../src/ops/log.ts';
import { freshDatabase } from '../support/db.ts';

describe('housekeeping', () => {
  let sql: Sql;
  beforeAll(async () => {
    sql = connect(await freshDatabase(), { max: 2 });
  });
  afterAll(() => sql.end());

  const counts = async () => (await sql<{ counters: number; spent: number; resets: number }[]>`
    SELECT (SELECT count(*)::int FROM rate_counters) AS counters, (SELECT count(*)::int FROM spent_challenges) AS spent,
           (SELECT count(*)::int FROM password_resets) AS resets`)[0]!;

  it('sweeps spent counters, expired challenge answers and reset links on its timer, keeps live ones, and stops when told', async () => {
    const [user] = await sql<{ id: string }[]>`INSERT INTO users (name, password_hash) VALUES ('kept', 'x') RETURNING id`;
    await sql`INSERT INTO rate_counters (key, window_start, hits) VALUES ('old', now() - interval '2 days', 3), ('live', now(), 1)`;
    await sql`INSERT INTO spent_challenges (signature, expires_at) VALUES ('old', now() - interval '1 minute'), ('live', now() + interval '5 minutes')`;
    await sql`INSERT INTO password_resets (code_hash, user_id, expires_at) VALUES ('\\x01', ${user!.id}, now() - interval '1 minute'), ('\\x02', ${user!.id}, now() + interval '1 hour')`;
    expect(await counts()).toEqual({ counters: 2, spent: 2, resets: 2 });
    const stop = startHousekeeping({ sql, config: loadConfig({}), log: silentLogger, intervalMs: 50 });
    await expect.poll(counts, { timeout: 5000 }).toEqual({ counters: 1, spent: 1, resets: 1 });
    await stop();
    await sql`INSERT INTO rate_counters (key, window_start, hits) VALUES ('after', now() - interval '2 days', 3)`;
    await new Promise((done) => setTimeout(done, 300));
    expect((await counts()).counters).toBe(2);
  });
});
