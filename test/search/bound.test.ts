import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Sql } from '../../src/db/connect.ts';
import { freshDatabase } from '../support/db.ts';

// One search may not read and rank half the database: it ranks the newest 10,000 matches
// (sql/052_search_cap.sql), so a word in every message costs what 10,000 cost.
let sql: Sql;
const hits = (q: string, after: [string, string] | null = null) =>
  sql<{ id: string; rank: string }[]>`
    SELECT id::text, rank::text FROM search_hits(${q}, ARRAY(SELECT id FROM rooms), NULL, NULL, NULL,
                                                 ${after?.[0] ?? null}::real, ${after?.[1] ?? null}::bigint, 20)`;

beforeAll(async () => {
  sql = connect(await freshDatabase(), { max: 1 });
  await sql`INSERT INTO users (name, password_hash) VALUES ('writer', 'x')`;
  // 50 old messages that rank best, then 10,050 newer ones that rank lower.
  await sql`INSERT INTO messages (room_id, author_id, body)
    SELECT (SELECT id FROM rooms WHERE slug = 'general'), (SELECT id FROM users WHERE name = 'writer'),
           CASE WHEN n <= 50 THEN 'common common common ' || n ELSE 'common filler words here ' || n END
    FROM generate_series(1, 10100) n`;
});
afterAll(() => sql?.end());

describe('the cost bound of a search', () => {
  it('ranks only the newest 10,000 matches of a word found everywhere', async () => {
    const page = await hits('common');
    expect(page).toHaveLength(20);
    const oldest = await sql<{ id: string }[]>`SELECT max(id)::text AS id FROM (SELECT id FROM messages ORDER BY id LIMIT 100) x`;
    expect(page.every((h) => BigInt(h.id) > BigInt(oldest[0]!.id))).toBe(true);
  });

  it('still ranks every match of a rarer word, and pages through them without repeats', async () => {
    const first = await hits('"common common"');
    expect(first).toHaveLength(20);
    const last = first.at(-1)!;
    const second = await hits('"common common"', [last.rank, last.id]);
    const third = await hits('"common common"', [second.at(-1)!.rank, second.at(-1)!.id]);
    expect(new Set([...first, ...second, ...third].map((h) => h.id)).size).toBe(50);
  });
});
