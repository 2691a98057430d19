import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { connect } from '../../src/db/connect.ts';
import { startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { migrate } from '../../src/db/migrate.ts';
import { TEST_WORKERS } from './workers.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** One PostgreSQL per test worker (test/support/workers.ts); db.ts picks its worker's. */
    pgUrls: string[];
    /** A database migrated once in each cluster, which freshDatabase() copies; nobody connects to it. */
    templateDb: string;
  }
}

const template = 'chat_test_template';

/** A PostgreSQL on a random port with the template database migrated in it. */
interface Cluster { url: string; stop(): Promise<void> }

async function startCluster(): Promise<Cluster> {
  const dir = mkdtempSync(path.join(tmpdir(), 'chat-test-pg-'));
  const pg = await startEmbeddedPostgres({ dataDir: dir });
  // Migrated once here: a copy (CREATE DATABASE ... TEMPLATE) costs less than every migration again.
  const admin = connect(pg.url, { max: 1 });
  await admin.unsafe(`CREATE DATABASE ${template}`).finally(() => admin.end());
  const url = new URL(pg.url);
  url.pathname = `/${template}`;
  const sql = connect(url.toString(), { max: 1, timeoutMs: 60_000 });
  await migrate(sql).finally(() => sql.end());
  return {
    url: pg.url,
    async stop() {
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The clusters, shared: vitest calls this setup for the root and again for each project. */
const shared = globalThis as { chatTestClusters?: { started: Promise<Cluster[]>; users: number } };

/**
 * A real PostgreSQL for each worker, each test file making its own database in its worker's. Not
 * one for all: a stream releases a message once no older transaction is open in the whole cluster,
 * so one file's open transaction held back what every file running beside it read.
 */
export default async function setup(project: TestProject) {
  shared.chatTestClusters ??= { started: Promise.all(Array.from({ length: TEST_WORKERS }, startCluster)), users: 0 };
  const run = shared.chatTestClusters;
  run.users++;
  const clusters = await run.started;
  project.provide('pgUrls', clusters.map((c) => c.url));
  project.provide('templateDb', template);
  return async () => {
    if (--run.users > 0) return;
    delete shared.chatTestClusters;
    await Promise.all(clusters.map((c) => c.stop()));
  };
}
