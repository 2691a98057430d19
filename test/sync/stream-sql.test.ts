import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Sql } from '../../src/db/connect.ts';
import { privateCluster } from '../support/db.ts';

const WRITERS = 16;
const PER_WRITER = 125;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let sql: Sql;
let room: number;
let author: string;

let cluster: Awaited<ReturnType<typeof privateCluster>>;

// A cluster of its own: its held-open transactions would hold back every other test file's stream.
beforeAll(async () => {
  cluster = await privateCluster();
  sql = connect(cluster.url, { max: WRITERS + 4 });
  room = (await sql<{ id: number }[]>`SELECT id FROM rooms WHERE slug = 'general'`)[0]!.id;
  author = (await sql<{ id: string }[]>`INSERT INTO users (name, password_hash) VALUES ('writer', 'x') RETURNING id`)[0]!.id;
});
afterAll(async () => {
  await sql.end();
  await cluster.stop();
});

/** 16 writers insert 2,000 rows; every fourth transaction stays open a few ms after its insert. */
async function writeConcurrently(tag: string): Promise<Set<string>> {
  const committed = new Set<string>();
  await Promise.all(
    Array.from({ length: WRITERS }, async (_, w) => {
      for (let i = 0; i < PER_WRITER; i++) {
        const [row] = await sql.begin(async (tx) => {
          const rows = await tx<{ id: string }[]>`
            INSERT INTO messages (room_id, author_id, body) VALUES (${room}, ${author}, ${`${tag} ${w}/${i}`}) RETURNING id`;
          if (i % 4 === w % 4) await sleep(1 + ((w * 7 + i) % 5));
          return rows;
        });
        committed.add(row!.id);
      }
    }),
  );
  return committed;
}

/** Walks a poll function until the writers are done and one more poll finds nothing. */
async function walk(poll: () => Promise<string[]>, writing: Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  let finished = false;
  void writing.then(() => (finished = true));
  for (;;) {
    const done = finished;
    const ids = await poll();
    seen.push(...ids);
    if (done && ids.length === 0) return seen;
    if (ids.length === 0) await sleep(1);
  }
}

describe('get_messages_after() under concurrent writers', () => {
  it('returns every committed message exactly once, in stream order', async () => {
    let cursor = { tx: '0', id: '0' };
    const writing = writeConcurrently('safe');
    const seen = await walk(async () => {
      const rows = await sql<{ tx: string; id: string; body: string }[]>`
        SELECT tx, id, body FROM get_messages_after(${cursor.tx}::xid8, ${cursor.id}, 100)`;
      if (rows.length) cursor = { tx: rows.at(-1)!.tx, id: rows.at(-1)!.id };
      return rows.filter((r) => r.body.startsWith('safe')).map((r) => r.id);
    }, writing);
    const committed = await writing;
    expect(committed.size).toBe(WRITERS * PER_WRITER);
    expect(seen.length).toBe(committed.size);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...committed].every((id) => seen.includes(id))).toBe(true);
  });

  it('is the reason for the design: a naive "id > cursor" poll loses messages under the same load', async () => {
    let cursor = (await sql<{ max: string | null }[]>`SELECT max(id)::text AS max FROM messages`)[0]!.max ?? '0';
    const writing = writeConcurrently('naive');
    const seen = await walk(async () => {
      const rows = await sql<{ id: string }[]>`SELECT id FROM messages WHERE id > ${cursor} ORDER BY id LIMIT 100`;
      if (rows.length) cursor = rows.at(-1)!.id;
      return rows.map((r) => r.id);
    }, writing);
    const committed = await writing;
    const lost = [...committed].filter((id) => !seen.includes(id)).length;
    console.log(`naive id > cursor poll: lost ${lost} of ${committed.size} committed messages`);
    expect(lost).toBeGreaterThan(0);
  });

  it('holds back a later row until an earlier open transaction commits, where id > cursor skips it', async () => {
    const [head] = await sql<{ tx: string; id: string }[]>`SELECT * FROM get_stream_head()`;
    const early = await sql.reserve();
    await early`BEGIN`;
    const earlyId = (await early<{ id: string }[]>`
      INSERT INTO messages (room_id, author_id, body) VALUES (${room}, ${author}, 'early') RETURNING id`)[0]!.id;
    const lateId = (await sql<{ id: string }[]>`
      INSERT INTO messages (room_id, author_id, body) VALUES (${room}, ${author}, 'late') RETURNING id`)[0]!.id;

    const naive = await sql<{ id: string }[]>`SELECT id FROM messages WHERE id > ${String(BigInt(earlyId) - 1n)} ORDER BY id`;
    expect(naive.map((r) => r.id)).toEqual([lateId]);
    const held = await sql`SELECT id FROM get_messages_after(${head!.tx}::xid8, ${head!.id}, 100)`;
    expect(held).toHaveLength(0);

    await early`COMMIT`;
    early.release();
    const after = await sql<{ id: string }[]>`SELECT id FROM get_messages_after(${head!.tx}::xid8, ${head!.id}, 100)`;
    expect(after.map((r) => r.id)).toEqual([earlyId, lateId]);
  });
});
