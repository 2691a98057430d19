import { readdirSync, readFileSync } from 'node:fs';
import type { Sql } from './connect.ts';

const SQL_DIR = new URL('../../sql/', import.meta.url);
// Any constant will do: it only has to be the same for every replica.
const MIGRATION_LOCK = 72_657_301;

export function migrationFiles(): string[] {
  return readdirSync(SQL_DIR)
    .filter((f) => /^\d+_.+\.sql$/.test(f))
    .sort();
}

/**
 * Applies the numbered files in sql/ that are not applied yet, in order, then sql/grants.sql.
 * Replicas that start together queue on the advisory lock; the first applies, the others find
 * nothing left to do. With a searchLanguage it also brings the search index to that text-search
 * configuration (a no-op unless SEARCH_LANGUAGE changed: sql/050_search.sql).
 */
export async function migrate(sql: Sql, opts: { searchLanguage?: string } = {}): Promise<string[]> {
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`;
    // The database caps every transaction at 60 s (sql/030) so that a forgotten one cannot hold the
    // stream back; a migration may need longer, and holds back nothing but other migrators.
    await tx.unsafe(`DO $$ BEGIN IF current_setting('server_version_num')::int >= 170000 THEN SET LOCAL transaction_timeout = 0; END IF; END $$`);
    await tx`CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`;
    const done = new Set((await tx<{ version: string }[]>`SELECT version FROM schema_migrations`).map((r) => r.version));
    const applied: string[] = [];
    for (const file of migrationFiles()) {
      if (done.has(file)) continue;
      await tx.unsafe(readFileSync(new URL(file, SQL_DIR), 'utf8')).simple();
      await tx`INSERT INTO schema_migrations (version) VALUES (${file})`;
      applied.push(file);
    }
    if (opts.searchLanguage) {
      const [changed] = await tx<{ changed: boolean }[]>`SELECT use_search_language(${opts.searchLanguage}::regconfig) AS changed`;
      if (changed!.changed) applied.push(`search language ${opts.searchLanguage}`);
    }
    await tx.unsafe(readFileSync(new URL('grants.sql', SQL_DIR), 'utf8')).simple();
    return applied;
  });
}

/**
 * For a role that may not migrate (the stack's chat_app): waits until schema_migrations lists the
 * newest file in sql/, which the migrate job applies as the owner. Errors (no table yet, the
 * database still starting) only mean not yet.
 */
export async function waitForMigrations(sql: Sql, everyMs = 1000): Promise<void> {
  const newest = migrationFiles().at(-1)!;
  for (;;) {
    const rows = await sql`SELECT 1 FROM schema_migrations WHERE version = ${newest}`.catch(() => []);
    if (rows.length > 0) return;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
