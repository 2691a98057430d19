import { randomBytes } from 'node:crypto';
import type { Sql } from '../db/connect.ts';
import type { Limit } from '../config.ts';
import { findSession, IDLE_DAYS, tokenHash } from '../accounts/sessions.ts';
import { postBySession, postMessage } from '../messages/post.ts';
import { postTogether } from '../messages/post-batch.ts';

/**
 * Runs, on one connection, the statements that requests need most: the session check and the
 * post (alone and in batches), each as its route sends it (the same text and parameter types, so
 * the driver's prepared statement is the one traffic uses). Nothing matches: a token no one holds, a room no one named.
 * Written to the pool's new connections before they meet traffic (src/db/warm.ts).
 */
export async function warmRequestStatements(conn: Sql, postLimit: Limit): Promise<void> {
  const token = randomBytes(32).toString('base64url');
  await findSession(conn, token);
  await postBySession(conn, tokenHash(token)!, IDLE_DAYS, '', '-', postLimit);
  await postMessage(conn, '', { id: '0', name: '' }, '-', postLimit);
  const nobody = { tokenHash: tokenHash(token)!, room: '', body: '-' };
  await postTogether(conn, IDLE_DAYS, postLimit, [nobody, nobody]);
}
