import { loadConfig } from './config.ts';
import { connect } from './db/connect.ts';
import { migrate } from './db/migrate.ts';
import { startEmbeddedPostgres } from './db/embedded.ts';
import { migrateQueue } from './outbox/queue.ts';

const config = loadConfig();
const embedded = config.migrateDatabaseUrl || config.databaseUrl ? null : await startEmbeddedPostgres({ dataDir: config.dataDir });
const sql = connect(config.migrateDatabaseUrl ?? config.databaseUrl ?? embedded!.url, { max: 1, timeoutMs: 120_000 });
try {
  // The job queue's schema first: sql/grants.sql, applied by migrate(), covers it too.
  await migrateQueue(config.migrateDatabaseUrl ?? config.databaseUrl ?? embedded!.url);
  const applied = await migrate(sql, { searchLanguage: config.searchLanguage });
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'nothing to apply: the database is up to date');
} catch (err) {
  console.error(`migration failed: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await sql.end();
  await embedded?.stop();
}
