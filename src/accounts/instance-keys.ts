import { randomBytes } from 'node:crypto';
import type { Sql } from '../db/connect.ts';

/** A secret the replicas share, made by whichever asks first; they never change, so each is read once. */
export function instanceKeys(sql: Sql): (name: 'device' | 'challenge') => Promise<string> {
  const cache = new Map<string, Promise<string>>();
  const load = async (name: string) => {
    await sql`INSERT INTO instance_keys (name, value) VALUES (${name}, ${randomBytes(32).toString('base64url')}) ON CONFLICT (name) DO NOTHING`;
    const [row] = await sql<{ value: string }[]>`SELECT value FROM instance_keys WHERE name = ${name}`;
    return row!.value;
  };
  return (name) => {
    let key = cache.get(name);
    if (!key) {
      key = load(name);
      cache.set(name, key);
      key.catch(() => cache.delete(name));
    }
    return key;
  };
}
