import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { connect } from '../../src/db/connect.ts';
import { startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { migrate } from '../../src/db/migrate.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
    /** A database migrated once for the run, which freshDatabase() copies; nobody connects to it. */
    templateDb: string;
  }
}

/** One real PostgreSQL for the run, on a random port; each test file makes its own database in it. */
export default async function setup(project: TestProject) {
  const dir = mkdtempSync(path.join(tmpdir(), 'chat-test-pg-'));
  const pg = await startEmbeddedPostgres({ dataDir: dir });
  project.provide('pgUrl', pg.url);
  // Migrated once here: a copy (CREATE DATABASE ... TEMPLATE) costs less than every migration again.
  const template = 'chat_test_template';
  const admin = connect(pg.url, { max: 1 });
  await admin.unsafe(`CREATE DATABASE ${template}`).finally(() => admin.end());
  const url = new URL(pg.url);
  url.pathname = `/${template}`;
  const sql = connect(url.toString(), { max: 1, timeoutMs: 60_000 });
  await migrate(sql).finally(() => sql.end());
  project.provide('templateDb', template);
  return async () => {
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
