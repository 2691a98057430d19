import webpush from 'web-push';
import type { Config } from '../config.ts';
import type { Sql } from '../db/connect.ts';

export interface Vapid { publicKey: string; privateKey: string; subject: string }

/**
 * The instance's VAPID identity (RFC 8292): from the settings, or made by whichever replica asks
 * first and kept in instance_keys, so every replica signs with the same key and subscriptions
 * survive restarts. Read once per replica.
 */
export function vapidKeys(sql: Sql, config: Pick<Config, 'vapid' | 'vapidSubject' | 'publicOrigin'>): () => Promise<Vapid> {
  const subject = config.vapidSubject
    ?? (config.publicOrigin?.startsWith('https:') ? config.publicOrigin : `mailto:postmaster@${config.publicOrigin ? new URL(config.publicOrigin).hostname : 'localhost'}`);
  let loaded: Promise<Vapid> | null = null;
  const load = async (): Promise<Vapid> => {
    if (config.vapid) return { ...config.vapid, subject };
    const made = webpush.generateVAPIDKeys();
    await sql`INSERT INTO instance_keys (name, value) VALUES ('vapid', ${JSON.stringify(made)}) ON CONFLICT (name) DO NOTHING`;
    const [row] = await sql<{ value: string }[]>`SELECT value FROM instance_keys WHERE name = 'vapid'`;
    const kept = JSON.parse(row!.value) as { publicKey: string; privateKey: string };
    return { publicKey: kept.publicKey, privateKey: kept.privateKey, subject };
  };
  return () => {
    loaded ??= load();
    loaded.catch(() => (loaded = null));
    return loaded;
  };
}
