import { describe, expect, it } from 'vitest';
import { connect } from '../../src/db/connect.ts';
import { NOT_MOVED, TABLES } from '../../src/transfer/tables.ts';
import { freshDatabase } from '../support/db.ts';

describe('what an instance archive holds', () => {
  it('decides for every table of the schema whether it moves, so a new table cannot be forgotten', async () => {
    const sql = connect(await freshDatabase(), { max: 1 });
    const tables = (await sql<{ name: string }[]>`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`).map((t) => t.name);
    await sql.end();
    const decided = new Set([...TABLES.map((t) => t.name), ...NOT_MOVED]);
    expect(tables.filter((t) => !decided.has(t))).toEqual([]);
  });
});
