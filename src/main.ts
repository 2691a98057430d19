import { loadConfig } from './config.ts';
import { connect } from './db/connect.ts';
import { migrate, migrationFiles, waitForMigrations } from './db/migrate.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './db/embedded.ts';
import { createLogger } from './ops/log.ts';
import { createChat, listen } from './server.ts';
import { migrateQueue } from './outbox/queue.ts';
import { isClosedConnectionWrite } from './db/write-race.ts';

const config = loadConfig();
const log = createLogger(config.replicaName, config.logLevel);

async function main() {
  let embedded: EmbeddedPostgres | null = null;
  let url = config.databaseUrl;
  if (!url) {
    log.info('no DATABASE_URL: starting an embedded PostgreSQL', { dataDir: config.dataDir });
    embedded = await startEmbeddedPostgres({ dataDir: config.dataDir });
    url = embedded.url;
  }
  const migrator = connect(config.migrateDatabaseUrl ?? url, { max: 1, timeoutMs: 120_000 });
  try {
    await migrateQueue(config.migrateDatabaseUrl ?? url);
    const applied = await migrate(migrator, { searchLanguage: config.searchLanguage });
    if (applied.length > 0) log.info('migrations applied', { applied });
  } catch (err) {
    // A role without schema rights (the stack's chat_app): the migrate job applies them.
    if ((err as { code?: string }).code !== '42501') throw err;
    log.info('this role may not migrate: waiting for the migrate job', { newest: migrationFiles().at(-1) });
    await waitForMigrations(migrator);
  } finally {
    await migrator.end();
  }

  const sql = connect(url, { name: config.replicaName, lifetimeS: config.dbConnectionLifetimeS });
  const chat = createChat({ ...config, databaseUrl: url }, sql, log);
  await chat.start();
  const server = await listen(chat, config.port, config.host);
  const metricsServer = config.metricsPort === null ? null : await listen(chat, config.metricsPort, config.host, { metricsOnly: true });
  log.info('listening', { url: `http://localhost:${config.port}`, metricsPort: config.metricsPort, notify: config.syncNotify, pollIntervalMs: config.pollIntervalMs });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    // Not ready at once; keep serving through the drain so the proxy stops sending us traffic first.
    chat.lifecycle.shuttingDown = true;
    log.info('shutting down', { signal, drainMs: config.drainDelayMs });
    setTimeout(() => {
      log.error('shutdown took too long; exiting');
      process.exit(1);
    }, config.drainDelayMs + 15_000).unref();
    await new Promise((r) => setTimeout(r, config.drainDelayMs));
    server.close();
    metricsServer?.close();
    await chat.stop();
    server.closeIdleConnections();
    await sql.end({ timeout: 5 });
    await embedded?.stop();
    log.info('stopped');
    process.exit(0);
  };
  // One known fault of the database client outlives its connection (src/db/write-race.ts); any
  // other uncaught error still ends the process, as Node does by default.
  process.on('uncaughtException', (err) => {
    if (isClosedConnectionWrite(err)) return void log.warn('write on a closed database connection ignored', { error: err.message });
    log.error('uncaught exception', { error: err.message, stack: err.stack });
    process.exit(1);
  });
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  // Started by the local swarm or a test with an IPC channel: do not outlive the parent.
  process.on('disconnect', () => void shutdown('parent exited'));
}

main().catch((err) => {
  log.error('failed to start', { error: (err as Error).message });
  process.exit(1);
});
