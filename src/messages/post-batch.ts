import type { Sql } from '../db/connect.ts';
import type { Limit } from '../config.ts';
import { postBySession, postOutcome, type PostRow, type SessionPostOutcome } from './post.ts';

/** Statements under way at once, per replica; posts that arrive meanwhile wait and go together. */
const IN_FLIGHT = 2;
const MOST_PER_BATCH = 64;

interface Waiting {
  tokenHash: Buffer;
  room: string;
  body: string;
  resolve: (outcome: SessionPostOutcome) => void;
  reject: (err: unknown) => void;
}

type BatchRow = PostRow & { ord: number; author: string | null };

/**
 * The statement: posts by session, each row naming its post by `ord` (1-based). The tokens go as
 * text in bytea's hex form: the driver sends an array of Buffers as one bytea.
 */
export function postTogether(sql: Sql, idleDays: number, limit: Limit, posts: { tokenHash: Buffer; room: string; body: string }[]) {
  return sql<BatchRow[]>`
    SELECT * FROM post_messages_by_session(${posts.map((w) => `\\x${w.tokenHash.toString('hex')}`)}::text[]::bytea[], ${idleDays},
      ${posts.map((w) => w.room)}::text[], ${posts.map((w) => w.body)}::text[], ${limit?.max ?? null}, ${limit?.windowMs ?? null})`;
}

export interface PostBatcher {
  /** Posts as postBySession() would, sending it with others that arrive while posts are under way. */
  post(tokenHash: Buffer, room: string, body: string): Promise<SessionPostOutcome>;
  /** Batches sent, and of those how many the database refused and were then posted one by one. */
  readonly counts: { batches: number; retried: number };
}

/**
 * A replica's posts by session, grouped: a post that finds no statement under way goes at once,
 * alone (a quiet chat's latency is unchanged); the rest wait for one to finish, or for a second
 * post to share the second place, and then go together, in one statement and one transaction
 * (post_messages_by_session(), sql/116_post_batch.sql), which costs PostgreSQL and this replica a
 * fraction of one each.
 * Each post is answered only after its transaction committed, as before.
 */
export function createPostBatcher(sql: Sql, idleDays: number, limit: Limit): PostBatcher {
  const waiting: Waiting[] = [];
  let inFlight = 0;
  const counts = { batches: 0, retried: 0 };

  const single = (w: Waiting) => postBySession(sql, w.tokenHash, idleDays, w.room, w.body, limit).then(w.resolve, w.reject);

  const together = async (batch: Waiting[]) => {
    let rows: BatchRow[];
    counts.batches++;
    try {
      rows = await postTogether(sql, idleDays, limit, batch);
    } catch (err) {
      // An ERROR rolled the whole statement back, so nothing was accepted: each post is tried
      // on its own (a deadlock, say, or one post's bad input must not fail the others). Anything
      // else (a lost connection, a FATAL) may have come after the commit, so no post is retried.
      if ((err as { severity?: unknown }).severity !== 'ERROR') throw err;
      counts.retried++;
      await Promise.all(batch.map(single));
      return;
    }
    for (const r of rows) {
      const w = batch[r.ord - 1]!;
      w.resolve(r.outcome === 'no_session' ? { ok: false, reason: 'no_session' } : postOutcome(r, w.room, r.author ?? '', w.body));
    }
    // Every post has its row; were one missing, it would still be answered (a resolved promise
    // ignores a second answer).
    batch.forEach((w) => w.resolve(postOutcome(undefined, w.room, '', w.body)));
  };

  const send = (batch: Waiting[]) => {
    inFlight++;
    const sent = batch.length === 1 ? single(batch[0]!) : together(batch);
    sent.catch((err: unknown) => batch.forEach((w) => w.reject(err))).finally(() => {
      inFlight--;
      if (waiting.length > 0) send(waiting.splice(0, MOST_PER_BATCH));
    });
  };

  return {
    counts,
    post(tokenHash, room, body) {
      return new Promise((resolve, reject) => {
        waiting.push({ tokenHash, room, body, resolve, reject });
        // A post goes alone only when nothing else is under way; a second statement in flight is
        // worth it for two posts or more (measured in the burst: half the posts went alone when
        // any post could take the second place, a quarter when only two could).
        if (inFlight === 0 || (inFlight < IN_FLIGHT && waiting.length >= 2)) send(waiting.splice(0, MOST_PER_BATCH));
      });
    },
  };
}
