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
      expect(s).toContain('post_messages_by_session(');
      expect(s).toContain('live_session(');
    }
  });

  it('leaves a steady pool alone, and opens and prepares the replacement of a connection the server ended', async () => {
    const sql = connect(url, { max: 3, name: 'warm-test' });
    const prepared: number[] = [];
    const warmer = createPoolWarmer({
      sql, log: silentLogger, intervalMs: 100,
      prepare: async (c) => {
        const [b] = await c<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
        prepared.push(b!.pid);
      },
    });
    const lastChanges = async () => (await admin<{ pid: number; at: Date }[]>`
      SELECT pid, state_change AS at FROM pg_stat_activity WHERE application_name = 'chat warm-test' ORDER BY pid`).map((r) => `${r.pid} ${r.at.toISOString()}`);
    try {
      expect(warmer.ready).toBe(false);
      expect(await warmer.warm()).toBe(true);
      expect(warmer.ready).toBe(true);
      expect(new Set(prepared).size).toBe(3);
      warmer.start();
      // No round while no connection closes: the backends stay idle since the first one.
      const before = await lastChanges();
      expect(before).toHaveLength(3);
      await new Promise((r) => setTimeout(r, 500));
      expect(await lastChanges()).toEqual(before);
      await admin`SELECT pg_terminate_backend(${prepared[0]!})`;
      // The driver sees the connection close; the next round opens another and prepares it.
      await expect.poll(() => prepared.length, { timeout: 10_000 }).toBe(4);
      expect(prepared.slice(0, 3)).not.toContain(prepared[3]);
      await expect.poll(async () => (await lastChanges()).length, { timeout: 10_000 }).toBe(3);
    } finally {
      await warmer.stop();
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
