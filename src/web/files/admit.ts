import type { IncomingMessage } from 'node:http';
import { take } from '../../accounts/limits.ts';
import type { Limit } from '../../config.ts';
import type { Sql } from '../../db/connect.ts';
import { HttpError } from '../errors.ts';
import { lingerThenClose } from './incoming.ts';

/**
 * Counts one upload of a person against RATE_LIMIT_UPLOADS, in the database so the limit holds
 * over all replicas; past it, 429 before a byte of the file is read.
 */
export function uploadGate(sql: Sql, limit: Limit, userId: string, incoming: IncomingMessage): () => Promise<void> {
  return async () => {
    const taken = await take(sql, [{ key: `upload:${userId}`, limit, what: 'uploads' }]);
    if (taken.ok) return;
    lingerThenClose(incoming);
    const wait = String(taken.retryAfterS);
    throw new HttpError(429, `You are uploading too fast. Try again in ${wait} s.`, { 'Retry-After': wait, Connection: 'close' });
  };
}
