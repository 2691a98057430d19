import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Sql } from '../../src/db/connect.ts';
import { createPoolWarmer } from '../../src/db/warm.ts';
import { silentLogger } from '../../src/ops/log.ts';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';

describe('the warm database pool', () => {
  let url: string;
  let replica: Replica;
  let admin: Sql;
  beforeAll(async () => {
    url = await freshDatabase();
    admin = connect(url, { max: 1 });
    replica = await startReplica(url);
  });
  afterAll(async () => {
    await replica?.close();
    await admin?.end();
  });

  it('is open in full, every connection with the poll and post statements prepared, before the replica says it is ready', async () => {
    expect((await fetch(`${replica.url}/readyz`)).status).toBe(200);
    const name = `chat ${replica.chat.config.replicaName}`;
    const [row] = await admin<{ n: number }[]>`
      SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = ${name} AND datname = current_database()`;
    // The pool's ten, and LISTEN's own connection.
    expect(row!.n).toBeGreaterThanOrEqual(10);
    // Every connection of the pool has them prepared (ten transactions begun at once take one each).
    const statements = new Map<number, string>();
    await Promise.all(Array.from({ length: 10 }, () => replica.sql.begin(async (tx) => {
      const rows = await tx<{ pid: number; statement: string }[]>`SELECT pg_backend_pid() AS pid, statement FROM pg_prepared_statements`;
      statements.set(rows[0]!.pid, rows.map((r) => r.statement).join('\n'));
      await tx`SELECT pg_sleep(0.05)`;
    })));
    expect(statements.size).toBe(10);
    for (const s of statements.values()) {
      expect(s).toContain('get_messages_after(');
      expect(s).toContain('post_message_by_session(');
      expect(s).toContain('live_session(');
    }
  });

  it('prepares only connections new to it: one the server ended is replaced and prepared on the next round', async () => {
    const sql = connect(url, { max: 3, name: 'warm-test' });
    const prepared: number[] = [];
    const warmer = createPoolWarmer({
      sql, log: silentLogger, intervalMs: 60_000,
      prepare: async (c) => {
        const [b] = await c<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
        prepared.push(b!.pid);
      },
    });
    try {
      expect(warmer.ready).toBe(false);
      expect(await warmer.warm()).toBe(true);
      expect(warmer.ready).toBe(true);
      expect(new Set(prepared).size).toBe(3);
      expect(await warmer.warm()).toBe(true);
      expect(prepared).toHaveLength(3);
      await admin`SELECT pg_terminate_backend(${prepared[0]!})`;
      // The driver finds the connection closed and opens another for the round.
      await expect.poll(async () => {
        await warmer.warm().catch(() => false);
        return prepared.length;
      }, { timeout: 10_000 }).toBe(4);
      expect(prepared.slice(0, 3)).not.toContain(prepared[3]);
    } finally {
      await sql.end();
    }
  });

  it('gives up a round that cannot reach every connection in time, and reaches them all once they are free', async () => {
    const sql = connect(url, { max: 2, name: 'warm-test-busy' });
    const warmer = createPoolWarmer({ sql, log: silentLogger, intervalMs: 60_000, waitMs: 300, prepare: async () => {} });
    let free = () => {};
    const busy = sql.begin(async (tx) => {
      await tx`SELECT 1`;
      await new Promise<void>((r) => (free = r));
    });
    try {
      await new Promise((r) => setTimeout(r, 50));
      expect(await warmer.warm()).toBe(false);
      expect(warmer.ready).toBe(false);
      free();
      await busy;
      await expect.poll(() => warmer.warm(), { timeout: 10_000 }).toBe(true);
      expect(warmer.ready).toBe(true);
    } finally {
      free();
      await sql.end();
    }
  });
});
