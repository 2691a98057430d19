import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { connect, type Sql } from '../../src/db/connect.ts';
import { migrate } from '../../src/db/migrate.ts';
import { freshDatabase } from '../support/db.ts';

// SEARCH_LANGUAGE is applied by the migrations: the column and every query share one text-search
// configuration (search_language()), so stemming always matches on both sides.
let sql: Sql;
const hits = async (q: string) =>
  (await sql<{ id: string }[]>`SELECT id FROM search_hits(${q}, ARRAY(SELECT id FROM rooms), NULL, NULL, NULL, NULL, NULL, 10)`).length;

beforeAll(async () => {
  sql = connect(await freshDatabase(), { max: 1 });
  const [u] = await sql<{ id: string }[]>`INSERT INTO users (name, password_hash) VALUES ('linguist', 'x') RETURNING id`;
  await sql`INSERT INTO messages (room_id, author_id, body) SELECT id, ${u!.id}, 'she runs the meetings' FROM rooms WHERE slug = 'general'`;
});
afterAll(() => sql?.end());

describe('the search language setting', () => {
  it('defaults to simple, where words match only as written', async () => {
    expect(loadConfig({}).searchLanguage).toBe('simple');
    expect(await hits('running')).toBe(0);
    expect(await hits('runs')).toBe(1);
  });

  it('rebuilds the index once for another language, after which stems match', async () => {
    expect(await migrate(sql, { searchLanguage: 'english' })).toEqual(['search language english']);
    expect(await migrate(sql, { searchLanguage: 'english' })).toEqual([]);
    expect(await hits('running')).toBe(1);
    expect((await sql`SELECT search_language()::text AS l`)[0]!.l).toBe('english');
    expect(await migrate(sql, { searchLanguage: 'simple' })).toEqual(['search language simple']);
    expect(await hits('running')).toBe(0);
  });

  it('refuses a name that cannot be a configuration before anything runs, and an unknown one in the migration', async () => {
    expect(() => loadConfig({ SEARCH_LANGUAGE: "english'; DROP TABLE messages" })).toThrow(/SEARCH_LANGUAGE/);
    await expect(migrate(sql, { searchLanguage: 'klingon' })).rejects.toThrow(/klingon/);
    expect(await hits('runs')).toBe(1);
  });
});
