import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { connect } from '../../src/db/connect.ts';
import { migrate } from '../../src/db/migrate.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/db/embedded.ts';

/** A new, empty database in the test cluster; returns its URL. */
export async function emptyDatabase(): Promise<string> {
  const admin = connect(inject('pgUrl'), { max: 1 });
  const name = `chat_test_${randomBytes(6).toString('hex')}`;
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(inject('pgUrl'));
  url.pathname = `/${name}`;
  return url.toString();
}

/** A new, migrated database in the test cluster; returns its URL. */
export async function freshDatabase(): Promise<string> {
  const url = await emptyDatabase();
  const sql = connect(url, { max: 1, timeoutMs: 60_000 });
  try {
    await migrate(sql);
  } finally {
    await sql.end();
  }
  return url.toString();
}

/**
 * A PostgreSQL of its own, for tests that stop it or hold a transaction open: the stream's
 * horizon (the oldest running transaction) is cluster-wide, so an open transaction in the shared
 * cluster would hold back every other test file's streams.
 */
export async function privateCluster(): Promise<{ url: string; stop(): Promise<void>; pg: EmbeddedPostgres }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'chat-private-pg-'));
  const pg = await startEmbeddedPostgres({ dataDir: dir });
  const sql = connect(pg.url, { max: 1, timeoutMs: 60_000 });
  await migrate(sql).finally(() => sql.end());
  return {
    url: pg.url,
    pg,
    async stop() {
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
