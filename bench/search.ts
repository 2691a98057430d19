// Search at scale: 1,000,000 messages in 50 rooms, 200 varied queries as a member of some rooms.
// Prints p50/p99 of the whole search (SQL, snippets, JSON); run with `npx tsx bench/search.ts`.
// MESSAGES=n for another size. A private embedded PostgreSQL in a temp folder, removed at the end.
// Messages: 4 to 24 words drawn by Zipf's law from a 20,000-word vocabulary (bench/search-words.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect } from '../src/db/connect.ts';
import { startEmbeddedPostgres } from '../src/db/embedded.ts';
import { migrate } from '../src/db/migrate.ts';
import { RoomRegistry } from '../src/rooms/registry.ts';
import { parseSearch } from '../src/search/query.ts';
import { searchMessages } from '../src/search/search.ts';
import { vocabulary } from './search-words.ts';

const TOTAL = Number(process.env.MESSAGES ?? 1_000_000);
const BATCH = 100_000;
const WORDS = vocabulary(20_000);
const dir = mkdtempSync(path.join(tmpdir(), 'chat-search-bench-'));
const pg = await startEmbeddedPostgres({ dataDir: dir });
const sql = connect(pg.url, { max: 2, timeoutMs: 600_000 });
const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(1);

try {
  await migrate(sql);
  // 40 people, 10 open rooms and 40 closed ones; the searcher is in 12 of the closed ones.
  await sql`INSERT INTO users (name, password_hash) SELECT 'person' || n, 'x' FROM generate_series(1, 40) n`;
  await sql`INSERT INTO rooms (slug, title, kind) SELECT 'room-' || n, 'Room ' || n, CASE WHEN n <= 6 THEN 'open' ELSE 'closed' END FROM generate_series(1, 46) n`;
  await sql`INSERT INTO room_members (room_id, user_id)
    SELECT r.id, u.id FROM rooms r JOIN users u ON u.name = 'person1' WHERE r.slug IN (SELECT 'room-' || n FROM generate_series(7, 18) n)`;

  const filling = performance.now();
  for (let from = 1; from <= TOTAL; from += BATCH) {
    const to = Math.min(TOTAL, from + BATCH - 1);
    // Each message: 4 to 24 words; a word's rank is log-uniform, so its frequency goes as 1/rank.
    await sql`
      INSERT INTO messages (room_id, author_id, body, created_at)
      SELECT rs.ids[1 + n % cardinality(rs.ids)], us.ids[1 + (n::bigint * 7919) % cardinality(us.ids)],
             (SELECT string_agg((${WORDS}::text[])[floor(exp(random() * ln(${WORDS.length})))::int], ' ')
              FROM generate_series(1, 4 + (random() * 20)::int + n * 0)),
             now() - random() * interval '730 days'
      FROM generate_series(${from}::int, ${to}::int) n,
           (SELECT array_agg(id) AS ids FROM rooms) rs, (SELECT array_agg(id) AS ids FROM users) us`;
    process.stdout.write(`\rfilled ${to.toLocaleString('en')} messages (${seconds(filling)} s)`);
  }
  await sql`VACUUM ANALYZE messages`;
  const [size] = await sql<{ table: string; index: string }[]>`
    SELECT pg_size_pretty(pg_total_relation_size('messages')) AS table, pg_size_pretty(pg_relation_size('messages_search')) AS index`;
  console.log(`\nfilled in ${seconds(filling)} s; messages ${size!.table} in all, the search index ${size!.index}`);

  const rooms = new RoomRegistry(sql);
  await rooms.refresh();
  const me = { id: (await sql<{ id: string }[]>`SELECT id::text FROM users WHERE name = 'person1'`)[0]!.id, name: 'person1' };
  const readable = rooms.all().filter((r) => rooms.canRead(me, r)).map((r) => r.id);
  console.log(`person1 reads ${readable.length} of ${rooms.all().length} rooms`);

  const queries = plan(200);
  const run = async (params: Record<string, string>) => {
    const parsed = parseSearch(params);
    if (!parsed.ok) throw new Error(parsed.message);
    const started = performance.now();
    const page = await searchMessages(sql, readable, parsed.query);
    return { ms: performance.now() - started, hits: page.results.length };
  };
  for (const q of queries.slice(0, 10)) await run(q.params); // warm the cache
  const times: { ms: number; q: string; kind: string; hits: number }[] = [];
  for (const { kind, params } of queries) times.push({ ...(await run(params)), q: new URLSearchParams(params).toString(), kind });
  times.sort((a, b) => a.ms - b.ms);
  const at = (list: typeof times, p: number) => list[Math.min(list.length - 1, Math.floor(p * list.length))]!.ms.toFixed(1);
  console.log(`${times.length} queries over ${TOTAL.toLocaleString('en')} messages: p50 ${at(times, 0.5)} ms, p90 ${at(times, 0.9)} ms, p99 ${at(times, 0.99)} ms, max ${at(times, 1)} ms`);
  for (const kind of new Set(queries.map((q) => q.kind))) {
    const some = times.filter((t) => t.kind === kind);
    console.log(`  ${kind}: p50 ${at(some, 0.5)} ms, max ${at(some, 1)} ms, ${some.filter((t) => t.hits > 0).length}/${some.length} found something`);
  }
  console.log(`slowest: ${times.slice(-3).map((t) => `${t.q} (${t.ms.toFixed(0)} ms)`).join('; ')}`);
  const rebuilding = performance.now();
  await migrate(sql, { searchLanguage: 'english' });
  console.log(`SEARCH_LANGUAGE=english: the column and index rebuilt in ${seconds(rebuilding)} s`);
} finally {
  await sql.end();
  await pg.stop();
  rmSync(dir, { recursive: true, force: true });
}

/** A mix of what people type: words frequent and rare, phrases, exclusions, OR, and filters. */
function plan(n: number): { kind: string; params: Record<string, string> }[] {
  let seed = 42;
  const rnd = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  // A word whose frequency rank lies between lo and hi, log-uniformly (rank 1 is in ~6% of messages).
  const word = (lo: number, hi: number) => WORDS[Math.floor(lo * Math.pow(hi / lo, rnd())) - 1]!;
  const kinds: [string, () => string][] = [
    ['frequent word (rank 20-200)', () => word(20, 200)],
    ['word (rank 200-2,000)', () => word(200, 2_000)],
    ['rare word (rank 2,000-20,000)', () => word(2_000, 20_000)],
    ['two words', () => `${word(50, 2_000)} ${word(50, 2_000)}`],
    ['phrase', () => `"${word(1, 30)} ${word(1, 30)}"`],
    ['word -word', () => `${word(100, 2_000)} -${word(1, 50)}`],
    ['word OR word', () => `${word(200, 5_000)} OR ${word(200, 5_000)}`],
    ['word, room/from/since filters', () => word(100, 2_000)],
  ];
  return Array.from({ length: n }, (_, i) => {
    const [kind, q] = kinds[i % kinds.length]!;
    const params: Record<string, string> = { q: q() };
    if (i % kinds.length === kinds.length - 1) {
      if (i % 3 === 0) params.room = `room-${1 + Math.floor(rnd() * 18)}`;
      if (i % 3 === 1) params.from = `person${1 + Math.floor(rnd() * 40)}`;
      params.since = '2026-01-01';
    }
    return { kind, params };
  });
}
