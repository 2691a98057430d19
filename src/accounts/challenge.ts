import { createChallenge, randomInt, verifySolution, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import type { Sql } from '../db/connect.ts';

// A self-hosted proof of work (ALTCHA) against bulk registration: no third party sees a visitor.
// Deterministic mode: the browser hashes SHA-256(salt | nonce | counter) for counter 0, 1, 2...
// until the key's first half matches, so the work is the counter, 20k to 60k hashes (one to three
// seconds in a browser), while the server checks an answer with one HMAC.
const TTL_S = 600;
const COUNTER = { min: 20_000, max: 60_000 };

export async function newChallenge(key: string): Promise<Challenge> {
  return createChallenge({
    algorithm: 'SHA-256',
    cost: 1,
    counter: randomInt(COUNTER.max, COUNTER.min),
    deriveKey,
    expiresAt: Math.floor(Date.now() / 1000) + TTL_S,
    hmacSignatureSecret: `${key}:challenge`,
    hmacKeySignatureSecret: `${key}:derived`,
  });
}

export type Answer = { ok: true; signature: string; expiresAt: number } | { ok: false; reason: 'missing' | 'wrong' | 'expired' };

/** Checks an answer: the widget's base64 JSON {challenge, solution}, or that object itself. */
export async function checkAnswer(key: string, raw: unknown): Promise<Answer> {
  if (raw === undefined || raw === null || raw === '') return { ok: false, reason: 'missing' };
  try {
    const payload = (typeof raw === 'string' ? JSON.parse(Buffer.from(raw, 'base64').toString('utf8')) : raw) as {
      challenge?: Challenge;
      solution?: { counter: number; derivedKey: string };
    };
    const { challenge, solution } = payload;
    if (!challenge?.parameters || typeof challenge.signature !== 'string' || !solution) return { ok: false, reason: 'wrong' };
    const result = await verifySolution({
      challenge, solution, deriveKey,
      hmacSignatureSecret: `${key}:challenge`,
      hmacKeySignatureSecret: `${key}:derived`,
    });
    if (result.expired) return { ok: false, reason: 'expired' };
    if (!result.verified || !challenge.parameters.expiresAt) return { ok: false, reason: 'wrong' };
    return { ok: true, signature: challenge.signature, expiresAt: challenge.parameters.expiresAt };
  } catch {
    return { ok: false, reason: 'wrong' };
  }
}

/** Marks an answer used; false when it was used before (each solves one registration). */
export async function spendAnswer(sql: Sql, answer: { signature: string; expiresAt: number }): Promise<boolean> {
  const rows = await sql`
    INSERT INTO spent_challenges (signature, expires_at) VALUES (${answer.signature}, to_timestamp(${answer.expiresAt}))
    ON CONFLICT (signature) DO NOTHING RETURNING 1`;
  return rows.length === 1;
}
