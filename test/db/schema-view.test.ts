import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Sql } from '../../src/db/connect.ts';
import { schemaView } from '../../src/db/schema-view.ts';
import { freshDatabase } from '../support/db.ts';

const committed = () => readFileSync(new URL('../../sql/schema.sql', import.meta.url), 'utf8');

describe('sql/schema.sql, the schema as it stands', () => {
  let sql: Sql;
  let view: string;
  beforeAll(async () => {
    sql = connect(await freshDatabase(), { max: 1 });
    view = await schemaView(sql);
  });
  afterAll(() => sql?.end());

  it('matches what the migrations make today', () => {
    const lines = committed().split('\n');
    const at = view.split('\n').findIndex((l, i) => l !== lines[i]);
    const where = at < 0 ? '' : ` (first difference at line ${at + 1}: ${JSON.stringify(view.split('\n')[at])})`;
    expect(view === committed(), `sql/schema.sql is stale${where}. Run: npm run schema:dump`).toBe(true);
  });

  it('is what a test database copied from the run\'s template holds, the database\'s own settings included', async () => {
    const [row] = await sql<{ settings: string[] }[]>`
      SELECT setconfig AS settings FROM pg_db_role_setting
      WHERE setrole = 0 AND setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())`;
    expect(row?.settings).toContain('idle_in_transaction_session_timeout=30s');
  });

  it('holds one definition each of the functions the migrations redefine, the live one', async () => {
    for (const name of ['post_message', 'get_messages_after']) {
      const defs = view.match(new RegExp(`^CREATE OR REPLACE FUNCTION public\\.${name}\\(`, 'gm')) ?? [];
      const [live] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_proc WHERE proname = ${name}`;
      expect(defs.length, name).toBe(live!.n);
    }
    const [def] = await sql<{ d: string }[]>`SELECT pg_get_functiondef('get_messages_after'::regproc) AS d`;
    expect(view).toContain(def!.d.trimEnd());
  });
});
