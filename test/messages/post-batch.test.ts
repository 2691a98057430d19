import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Sql } from '../../src/db/connect.ts';
import { createSession, IDLE_DAYS, tokenHash } from '../../src/accounts/sessions.ts';
import { createPostBatcher } from '../../src/messages/post-batch.ts';
import type { SessionPostOutcome } from '../../src/messages/post.ts';
import { freshDatabase } from '../support/db.ts';

describe('posts sent together under load', () => {
  let url: string;
  let sql: Sql;
  const tokens: Buffer[] = [];
  beforeAll(async () => {
    url = await freshDatabase();
    sql = connect(url, { max: 10 });
    await sql`INSERT INTO rooms (slug, title) VALUES ('together', 'Together'), ('shelved', 'Shelved')`;
    await sql`UPDATE rooms SET archived_at = now() WHERE slug = 'shelved'`;
    for (const name of ['ada', 'bo', 'cy', 'di']) {
      const [u] = await sql<{ id: string }[]>`INSERT INTO users (name, password_hash) VALUES (${name}, 'x') RETURNING id`;
      tokens.push(tokenHash(await createSession(sql, u!.id))!);
    }
  });
  afterAll(() => sql?.end());

  const accepted = (o: SessionPostOutcome) => {
    if (!o.ok) throw new Error(`refused: ${o.reason}`);
    return o.message;
  };
  const txOf = async (ids: string[]) => (await sql<{ id: string; tx: string }[]>`
    SELECT id::text, tx::text FROM messages WHERE id = ANY (${ids}::bigint[]) ORDER BY id`);

  it('answers each post with its own message, sends the posts that waited in one transaction, each author\'s in the order posted', async () => {
    const posts = createPostBatcher(sql, IDLE_DAYS, null);
    const sent = Array.from({ length: 20 }, (_, i) => ({ token: tokens[i % 4]!, body: `n${i}` }));
    const messages = (await Promise.all(sent.map((p) => posts.post(p.token, 'together', p.body)))).map(accepted);
    expect(messages.map((m) => m.body)).toEqual(sent.map((p) => p.body));
    expect(messages.map((m) => m.author)).toEqual(sent.map((_, i) => ['ada', 'bo', 'cy', 'di'][i % 4]));
    const rows = await txOf(messages.map((m) => m.id));
    expect(rows).toHaveLength(20);
    // The first went alone at once, the next two together beside it, the seventeen that waited
    // for them in one statement.
    expect(new Set(rows.map((r) => r.tx)).size).toBe(3);
    expect(posts.counts).toEqual({ batches: 2, retried: 0 });
    // In the batch, the order each author posted in.
    const batchTx = rows.find((r) => r.id === messages[19]!.id)!.tx;
    const inBatch = new Set(rows.filter((r) => r.tx === batchTx).map((r) => r.id));
    for (let a = 0; a < 4; a++) {
      const own = messages.filter((m, i) => i % 4 === a && inBatch.has(m.id)).map((m) => BigInt(m.id));
      expect(own.length).toBeGreaterThanOrEqual(4);
      expect(own).toEqual([...own].sort((x, y) => (x < y ? -1 : 1)));
    }
  });

  it('gives each post in a batch the outcome it would have had alone', async () => {
    const posts = createPostBatcher(sql, IDLE_DAYS, { max: 2, windowMs: 60_000 });
    const stranger = Buffer.alloc(32, 7);
    const [first, second, ...rest] = await Promise.all([
      posts.post(tokens[0]!, 'together', 'first'),
      posts.post(tokens[1]!, 'together', 'second'),
      posts.post(stranger, 'together', 'nobody'),
      posts.post(tokens[2]!, 'nowhere', 'lost'),
      posts.post(tokens[2]!, 'shelved', 'late'),
      posts.post(tokens[3]!, 'together', 'one'),
      posts.post(tokens[3]!, 'together', 'two'),
      posts.post(tokens[3]!, 'together', 'three'),
    ]);
    expect([first, second].every((o) => o.ok)).toBe(true);
    expect(rest.map((o) => (o.ok ? o.message.body : o.reason))).toEqual(['no_session', 'unknown_room', 'archived', 'one', 'two', 'rate_limited']);
    expect(posts.counts.batches).toBe(2);
  });

  it('posts one by one what the database refused as a batch, so that no post fails for another', async () => {
    const fresh = connect(url, { max: 4 });
    try {
      await sql`ALTER FUNCTION post_messages_by_session RENAME TO post_messages_by_session_away`;
      const posts = createPostBatcher(fresh, IDLE_DAYS, null);
      const outcomes = await Promise.all(Array.from({ length: 6 }, (_, i) => posts.post(tokens[i % 4]!, 'together', `alone ${i}`)));
      expect(outcomes.map((o) => accepted(o).body)).toEqual(Array.from({ length: 6 }, (_, i) => `alone ${i}`));
      expect(posts.counts).toEqual({ batches: 2, retried: 2 });
    } finally {
      await sql`ALTER FUNCTION post_messages_by_session_away RENAME TO post_messages_by_session`;
      await fresh.end();
    }
  });

  it('takes its locks in one order, so that two replicas posting for the same people in opposite orders do not deadlock', async () => {
    const pools = [connect(url, { max: 4 }), connect(url, { max: 4 })];
    try {
      const batchers = pools.map((p) => createPostBatcher(p, IDLE_DAYS, { max: 100_000, windowMs: 60_000 }));
      for (let round = 0; round < 15; round++) {
        await Promise.all(batchers.flatMap((b, side) => Array.from({ length: 12 }, (_, i) => {
          const who = side === 0 ? i % 4 : 3 - (i % 4);
          return b.post(tokens[who]!, 'together', `r${round} s${side} ${i}`).then(accepted);
        })));
      }
      expect(batchers.map((b) => b.counts.batches)).toEqual([30, 30]);
      expect(batchers.map((b) => b.counts.retried)).toEqual([0, 0]);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });
});
