import type { Config } from '../config.ts';
import { connect, type Sql } from '../db/connect.ts';
import { startEmbeddedPostgres } from '../db/embedded.ts';
import { migrate } from '../db/migrate.ts';

/**
 * The database as its owner, as `npm run migrate` opens it: MIGRATE_DATABASE_URL, else
 * DATABASE_URL, else the embedded PostgreSQL under DATA_DIR (the server must not be running on it).
 * Migrated first unless told not to, so an import can go into a database nothing has touched yet
 * (an export only reads, and may run under a role that could not migrate).
 */
export async function openOwnerDatabase(config: Config, opts: { migrate?: boolean } = {}): Promise<{ sql: Sql; close(): Promise<void> }> {
  const embedded = config.migrateDatabaseUrl || config.databaseUrl ? null : await startEmbeddedPostgres({ dataDir: config.dataDir });
  const sql = connect(config.migrateDatabaseUrl ?? config.databaseUrl ?? embedded!.url, { max: 1, timeoutMs: 120_000, name: 'transfer' });
  try {
    if (opts.migrate !== false) await migrate(sql, { searchLanguage: config.searchLanguage });
  } catch (err) {
    await sql.end();
    await embedded?.stop();
    throw err;
  }
  return {
    sql,
    async close() {
      await sql.end();
      await embedded?.stop();
    },
  };
}
