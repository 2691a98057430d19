import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

// OWASP's scrypt floor is N=2^17 with r=8; 2^15 keeps sign-in near 60 ms on a small server.
// PASSWORD_HASH_COST lowers it for the test suite only (every test account pays it once).
export const DEFAULT_HASH_COST = 15;
const PARAMS = { N: 2 ** DEFAULT_HASH_COST, r: 8, p: 1 };
const KEYLEN = 32;
const ZERO_KEY = Buffer.alloc(KEYLEN);

function derive(password: string, salt: Buffer, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, KEYLEN, { ...opts, maxmem: 256 * 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

const encode = (salt: Buffer, key: Buffer, n = PARAMS.N) => ['scrypt', n, PARAMS.r, PARAMS.p, salt.toString('base64'), key.toString('base64')].join('$');

/**
 * A hash no password derives (zero salt, zero key): the mark of an account with no password yet
 * (a Slack import's unclaimed people), and, at the instance's cost, what an unknown name's
 * password is checked against (unknownNameHash).
 */
export const DUMMY_HASH = encode(Buffer.alloc(16), Buffer.alloc(KEYLEN));

/**
 * What an unknown name's password is checked against: the same scrypt work as an account hashed
 * at `cost` (PASSWORD_HASH_COST), so an unknown name and a wrong password take the same time.
 */
export const unknownNameHash = (cost: number): string => encode(Buffer.alloc(16), Buffer.alloc(KEYLEN), 2 ** cost);

/** "scrypt$N$r$p$salt$hash", salt and hash in base64: the parameters travel with the hash. */
export async function hashPassword(password: string, cost = DEFAULT_HASH_COST): Promise<string> {
  const salt = randomBytes(16);
  const n = 2 ** cost;
  return encode(salt, await derive(password, salt, { ...PARAMS, N: n }), n);
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const key = await derive(password, Buffer.from(salt, 'base64'), { N: Number(n), r: Number(r), p: Number(p) });
  return key.length === expected.length && timingSafeEqual(key, expected) && !expected.equals(ZERO_KEY);
}
