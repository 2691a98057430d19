import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { connect } from '../../src/db/connect.ts';
import { migrate } from '../../src/db/migrate.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/db/embedded.ts';

/** This worker's PostgreSQL (global-setup.ts starts one per worker; VITEST_POOL_ID counts from 1). */
function clusterUrl(): string {
  const urls = inject('pgUrls');
  return urls[(Number(process.env.VITEST_POOL_ID ?? 1) - 1) % urls.length]!;
}

/** A new database in this worker's test cluster, empty or a copy of `template`; returns its URL. */
async function createDatabase(template?: string): Promise<string> {
  const cluster = clusterUrl();
  const admin = connect(cluster, { max: 1 });
  const name = `chat_test_${randomBytes(6).toString('hex')}`;
  try {
    await admin.unsafe(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
    // A copy leaves behind the database's own settings (the migrations' ALTER DATABASE ... SET).
    const settings = template
      ? await admin<{ s: string }[]>`
          SELECT unnest(setconfig) AS s FROM pg_db_role_setting
          WHERE setrole = 0 AND setdatabase = (SELECT oid FROM pg_database WHERE datname = ${template})`
      : [];
    for (const { s } of settings) {
      const at = s.indexOf('=');
      await admin.unsafe(`ALTER DATABASE ${name} SET ${s.slice(0, at)} = '${s.slice(at + 1).replaceAll("'", "''")}'`);
    }
  } finally {
    await admin.end();
  }
  const url = new URL(cluster);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A new, empty database in the test cluster; returns its URL. */
export function emptyDatabase(): Promise<string> {
  return createDatabase();
}

/**
 * A new, migrated database in the test cluster; returns its URL. A copy of the run's template
 * (migrated once by global-setup.ts); migrate() then finds nothing to apply and re-applies
 * sql/grants.sql, which also covers the database itself. test/db/schema-view.test.ts checks the
 * copy against sql/schema.sql, which a real migration made.
 */
export async function freshDatabase(): Promise<string> {
  const url = await createDatabase(inject('templateDb'));
  const sql = connect(url, { max: 1, timeoutMs: 60_000 });
  try {
    await migrate(sql);
  } finally {
    await sql.end();
  }
  return url;
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
