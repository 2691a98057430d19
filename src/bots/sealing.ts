import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Sql } from '../db/connect.ts';

export interface Sealer {
  seal(secret: string): Promise<string>;
  open(sealed: string): Promise<string>;
}

const KEY_NAME = 'bots-secret-key';

/**
 * Webhook secrets are HMAC keys the server must use, so they cannot be stored as hashes: they are
 * sealed with AES-256-GCM ("v1.<iv>.<ciphertext>.<tag>", base64url) under the instance's bot key.
 * The key is BOTS_SECRET_KEY when set (a Docker secret: then a database dump alone opens nothing),
 * else 32 random bytes made once into instance_keys by whichever replica asks first.
 */
export function createSealer(sql: Sql, configured: Buffer | null): Sealer {
  let key: Promise<Buffer> | null = configured ? Promise.resolve(configured) : null;
  const instanceKey = () => {
    key ??= (async () => {
      await sql`INSERT INTO instance_keys (name, value) VALUES (${KEY_NAME}, ${randomBytes(32).toString('base64url')}) ON CONFLICT (name) DO NOTHING`;
      const [row] = await sql<{ value: string }[]>`SELECT value FROM instance_keys WHERE name = ${KEY_NAME}`;
      return Buffer.from(row!.value, 'base64url');
    })();
    key.catch(() => (key = null));
    return key;
  };
  return {
    async seal(secret) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', await instanceKey(), iv);
      const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
      return ['v1', iv, sealed, cipher.getAuthTag()].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
    },
    async open(sealed) {
      const [version, iv, data, tag] = sealed.split('.');
      if (version !== 'v1' || !iv || data === undefined || !tag) throw new Error('not a sealed webhook secret');
      const decipher = createDecipheriv('aes-256-gcm', await instanceKey(), Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}
