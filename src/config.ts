import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

export type Limit = { max: number; windowMs: number } | null;

export interface Config {
  port: number;
  host: string;
  databaseUrl: string | null;
  migrateDatabaseUrl: string | null;
  dataDir: string;
  pollIntervalMs: number;
  syncNotify: boolean;
  /** The longest a NOTIFY wake-up waits under load, so polls batch posts (POLL_WAKE_GAP_MS; 0: poll at every one). */
  pollWakeGapMs: number;
  /** Seconds a database connection lives before it is renewed between queries, plus up to a fifth at random (DB_CONNECTION_LIFETIME_S). */
  dbConnectionLifetimeS: number;
  publicOrigin: string | null;
  rateLimitMessages: Limit;
  rateLimitSignin: Limit;
  /** log2 of scrypt's N for new password hashes; old hashes keep theirs (they carry it). */
  passwordHashCost: number;
  rateLimitRegister: Limit;
  rateLimitSigninAddress: Limit;
  replicaName: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  drainDelayMs: number;
  trustProxy: boolean;
  syncLagWarnMs: number;
  feedCapacity: number;
  /** Bytes of SSE frames per room each replica keeps in memory, besides the count. */
  feedBytes: number;
  registration: 'open' | 'invite' | 'closed';
  registrationChallenge: boolean;
  /** Open event streams per person and per client address on one replica; null: no cap. */
  streamLimitUser: number | null;
  streamLimitAddress: number | null;
  /** Most events one stream catches up on from before its replica's memory before it is told to reload. */
  catchUpMax: number;
  /** Port for /metrics alone; null: /metrics is not on a port of its own. */
  metricsPort: number | null;
  /** With no METRICS_PORT, /metrics on PORT answers only requests bearing this token; null: it is not served there. */
  metricsToken: string | null;
  /** Password hashes waiting per replica beyond those running; past it sign-in answers 503. */
  hashQueue: number;
  /** Failed sign-ins per name from clients without that name's device cookie, all addresses together. */
  rateLimitSigninName: Limit;
  /** Largest file one upload may carry, in bytes (UPLOAD_MAX_MB). */
  uploadMaxBytes: number;
  /** Uploads per person per window, over all replicas (RATE_LIMIT_UPLOADS); null: no limit. */
  rateLimitUploads: Limit;
  /** Most bytes of stored files per person, over all replicas (STORAGE_QUOTA); null: no quota. */
  storageQuotaBytes: number | null;
  /** Per person per window over all replicas, each its own kind (src/http/write-budget.ts); null: no limit. */
  rateLimitEdits: Limit;
  rateLimitReactions: Limit;
  rateLimitRooms: Limit;
  rateLimitSearches: Limit;
  /** The text-search configuration of message search (e.g. simple, english); applied by the migrations. */
  searchLanguage: string;
  /** How often each replica writes who has which room open and reads everyone's (Documentation/presence.md). */
  presenceIntervalMs: number;
  /** Web Push on (PUSH); off: no push, and the subscription routes answer 404 (Documentation/push.md). */
  push: boolean;
  /** The VAPID identity from the settings; null: generated once per instance and kept in the database. */
  vapid: { publicKey: string; privateKey: string } | null;
  vapidSubject: string | null;
  /** host:port pairs outbound requests may reach although loopback or private, over http too (OUTBOUND_ALLOW). */
  outboundAllow: string[];
  /** Most messages one bot may post per window (RATE_LIMIT_BOT_MESSAGES), Bearer calls and hook URLs alike. */
  rateLimitBotMessages: Limit;
  /** The key that seals bots' webhook secrets at rest (BOTS_SECRET_KEY, 32 bytes base64url); null: one generated into the database. */
  botsSecretKey: Buffer | null;
  /** Outgoing webhooks (WEBHOOKS, default on): off, this replica runs no webhook jobs and plans none. */
  webhooks: boolean;
  /** A push or webhook job locked this long belongs to a replica that died mid-job: any replica runs it again (OUTBOX_STALE_AFTER_MS). */
  outboxStaleAfterMs: number;
  /** How long a sign-in link for another device lasts (at most 4 hours, the contract's bound; not a setting: tests shorten it). */
  transferLinkMs: number;
}

type Env = Record<string, string | undefined>;

// Docker secrets arrive as files: NAME_FILE wins over NAME.
function metricsToken(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  if (!/^[\x21-\x7e]{16,200}$/.test(raw)) throw new Error(`METRICS_TOKEN must be 16 to 200 printable characters without spaces, got ${raw.length} characters`);
  return raw;
}

function read(env: Env, name: string): string | undefined {
  const file = env[`${name}_FILE`];
  if (file) return readFileSync(file, 'utf8').trim();
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return n;
}

function onOff(env: Env, name: string, fallback: boolean): boolean {
  const raw = read(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (['on', 'true', '1', 'yes'].includes(raw)) return true;
  if (['off', 'false', '0', 'no'].includes(raw)) return false;
  throw new Error(`${name} must be "on" or "off", got "${raw}"`);
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses "20/10s" (at most 20 per 10 seconds) or "off". */
export function parseLimit(name: string, raw: string): Limit {
  if (raw.toLowerCase() === 'off') return null;
  const m = /^(\d+)\s*\/\s*(\d*)\s*(ms|s|m|h)$/.exec(raw.trim());
  const max = Number(m?.[1]);
  const windowMs = Number(m?.[2] || 1) * (UNITS[m?.[3] ?? ''] ?? NaN);
  // The database counts in 32-bit integers.
  if (!m || !(max > 0) || !(windowMs > 0) || max > 1_000_000 || windowMs > 2 ** 31 - 1) {
    throw new Error(`${name} must look like "20/10s" (count/window, units ms s m h, at most 596h) or "off", got "${raw}"`);
  }
  return { max, windowMs };
}

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4 };

/** Parses "1GB", "500MB", "2048kb" (binary units) or "off". */
export function parseSize(name: string, raw: string): number | null {
  if (raw.toLowerCase() === 'off') return null;
  const m = /^(\d+)\s*(b|kb|mb|gb|tb)?$/i.exec(raw.trim());
  const bytes = Number(m?.[1]) * (SIZE_UNITS[(m?.[2] ?? 'b').toLowerCase()] ?? NaN);
  if (!m || !Number.isSafeInteger(bytes) || bytes < 1) throw new Error(`${name} must look like "1GB" (units B KB MB GB TB) or "off", got "${raw}"`);
  return bytes;
}

function cap(env: Env, name: string, fallback: number): number | null {
  const raw = read(env, name);
  if (raw?.toLowerCase() === 'off') return null;
  return int(env, name, fallback, 1, 1_000_000);
}

function oneOf<T extends string>(env: Env, name: string, fallback: T, allowed: readonly T[]): T {
  const raw = (read(env, name) ?? fallback).toLowerCase() as T;
  if (!allowed.includes(raw)) throw new Error(`${name} must be ${allowed.join(', ')}, got "${raw}"`);
  return raw;
}

function origin(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  const url = new URL(raw);
  return url.origin;
}

// A text-search configuration's name; PostgreSQL says whether it exists when the migrations apply it.
function searchLanguage(raw: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/i.test(raw)) throw new Error(`SEARCH_LANGUAGE must name a text-search configuration such as simple or english, got "${raw}"`);
  return raw.toLowerCase();
}

function vapid(publicKey: string | undefined, privateKey: string | undefined): Config['vapid'] {
  if (publicKey === undefined && privateKey === undefined) return null;
  if (!publicKey || !/^[A-Za-z0-9_-]{87}$/.test(publicKey)) throw new Error('VAPID_PUBLIC_KEY must be the base64url uncompressed P-256 point (87 characters), set together with VAPID_PRIVATE_KEY');
  if (!privateKey || !/^[A-Za-z0-9_-]{43}$/.test(privateKey)) throw new Error('VAPID_PRIVATE_KEY must be the base64url P-256 private key (43 characters), set together with VAPID_PUBLIC_KEY');
  return { publicKey, privateKey };
}

function hostPorts(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  return raw.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean).map((hp) => {
    if (!/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+):\d{1,5}$/.test(hp)) throw new Error(`OUTBOUND_ALLOW must be a comma list of host:port, got "${hp}"`);
    return hp;
  });
}

function secretKey(name: string, raw: string | undefined): Buffer | null {
  if (raw === undefined) return null;
  const key = Buffer.from(raw, 'base64url');
  if (key.length !== 32) throw new Error(`${name} must be 32 random bytes in base64url (43 characters), e.g. from: openssl rand -base64 32 | tr '+/' '-_' | tr -d '='`);
  return key;
}

export const DEFAULT_POLL_INTERVAL_MS = 100;

export function loadConfig(env: Env = process.env): Config {
  const logLevel = (read(env, 'LOG_LEVEL') ?? 'info').toLowerCase();
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) {
    throw new Error(`LOG_LEVEL must be debug, info, warn or error, got "${logLevel}"`);
  }
  return {
    port: int(env, 'PORT', 3000, 0, 65535),
    host: read(env, 'HOST') ?? '0.0.0.0',
    databaseUrl: read(env, 'DATABASE_URL') ?? null,
    migrateDatabaseUrl: read(env, 'MIGRATE_DATABASE_URL') ?? null,
    dataDir: read(env, 'DATA_DIR') ?? '.data',
    pollIntervalMs: int(env, 'POLL_INTERVAL_MS', DEFAULT_POLL_INTERVAL_MS, 5, 60_000),
    syncNotify: onOff(env, 'SYNC_NOTIFY', true),
    pollWakeGapMs: int(env, 'POLL_WAKE_GAP_MS', 50, 0, 1000),
    dbConnectionLifetimeS: int(env, 'DB_CONNECTION_LIFETIME_S', 1800, 10, 86_400),
    publicOrigin: origin(read(env, 'PUBLIC_ORIGIN')),
    rateLimitMessages: parseLimit('RATE_LIMIT_MESSAGES', read(env, 'RATE_LIMIT_MESSAGES') ?? '20/10s'),
    rateLimitSignin: parseLimit('RATE_LIMIT_SIGNIN', read(env, 'RATE_LIMIT_SIGNIN') ?? '10/5m'),
    passwordHashCost: int(env, 'PASSWORD_HASH_COST', 15, 10, 20),
    rateLimitRegister: parseLimit('RATE_LIMIT_REGISTER', read(env, 'RATE_LIMIT_REGISTER') ?? '20/1h'),
    rateLimitSigninAddress: parseLimit('RATE_LIMIT_SIGNIN_ADDRESS', read(env, 'RATE_LIMIT_SIGNIN_ADDRESS') ?? '50/5m'),
    replicaName: read(env, 'REPLICA_NAME') ?? hostname(),
    logLevel: logLevel as Config['logLevel'],
    drainDelayMs: int(env, 'DRAIN_DELAY_MS', 0, 0, 600_000),
    trustProxy: onOff(env, 'TRUST_PROXY', false),
    syncLagWarnMs: int(env, 'SYNC_LAG_WARN_MS', 5000, 100, 3_600_000),
    feedCapacity: int(env, 'FEED_CAPACITY', 1000, 1, 1_000_000),
    feedBytes: int(env, 'FEED_BYTES', 4 * 1024 * 1024, 64 * 1024, 1 << 30),
    registration: oneOf(env, 'REGISTRATION', 'invite', ['open', 'invite', 'closed'] as const),
    registrationChallenge: onOff(env, 'REGISTRATION_CHALLENGE', true),
    streamLimitUser: cap(env, 'STREAM_LIMIT_USER', 20),
    streamLimitAddress: cap(env, 'STREAM_LIMIT_ADDRESS', 200),
    catchUpMax: int(env, 'STREAM_CATCH_UP_MAX', 500, 1, 1_000_000),
    metricsPort: read(env, 'METRICS_PORT') === undefined ? null : int(env, 'METRICS_PORT', 0, 1, 65535),
    metricsToken: metricsToken(read(env, 'METRICS_TOKEN')),
    hashQueue: int(env, 'PASSWORD_HASH_QUEUE', 32, 0, 100_000),
    rateLimitSigninName: parseLimit('RATE_LIMIT_SIGNIN_NAME', read(env, 'RATE_LIMIT_SIGNIN_NAME') ?? '100/5m'),
    uploadMaxBytes: int(env, 'UPLOAD_MAX_MB', 10, 1, 1024) * 1024 * 1024,
    rateLimitUploads: parseLimit('RATE_LIMIT_UPLOADS', read(env, 'RATE_LIMIT_UPLOADS') ?? '30/10m'),
    storageQuotaBytes: parseSize('STORAGE_QUOTA', read(env, 'STORAGE_QUOTA') ?? '1GB'),
    rateLimitEdits: parseLimit('RATE_LIMIT_EDITS', read(env, 'RATE_LIMIT_EDITS') ?? '60/1m'),
    rateLimitReactions: parseLimit('RATE_LIMIT_REACTIONS', read(env, 'RATE_LIMIT_REACTIONS') ?? '120/1m'),
    rateLimitRooms: parseLimit('RATE_LIMIT_ROOMS', read(env, 'RATE_LIMIT_ROOMS') ?? '30/1h'),
    rateLimitSearches: parseLimit('RATE_LIMIT_SEARCHES', read(env, 'RATE_LIMIT_SEARCHES') ?? '60/1m'),
    searchLanguage: searchLanguage(read(env, 'SEARCH_LANGUAGE') ?? 'simple'),
    presenceIntervalMs: int(env, 'PRESENCE_INTERVAL_MS', 5000, 100, 600_000),
    push: onOff(env, 'PUSH', true),
    vapid: vapid(read(env, 'VAPID_PUBLIC_KEY'), read(env, 'VAPID_PRIVATE_KEY')),
    vapidSubject: read(env, 'VAPID_SUBJECT') ?? null,
    outboundAllow: hostPorts(read(env, 'OUTBOUND_ALLOW')),
    rateLimitBotMessages: parseLimit('RATE_LIMIT_BOT_MESSAGES', read(env, 'RATE_LIMIT_BOT_MESSAGES') ?? '20/10s'),
    botsSecretKey: secretKey('BOTS_SECRET_KEY', read(env, 'BOTS_SECRET_KEY')),
    webhooks: onOff(env, 'WEBHOOKS', true),
    // Above the 10 s request timeout of a push or a webhook, plus its transaction.
    outboxStaleAfterMs: int(env, 'OUTBOX_STALE_AFTER_MS', 30_000, 12_000, 4 * 3600_000),
    transferLinkMs: 4 * 60 * 60 * 1000,
  };
}
