import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect, type Sql } from '../src/db/connect.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../src/db/embedded.ts';
import { migrate } from '../src/db/migrate.ts';
import type { ReplicaProcess } from '../src/dev/cluster.ts';
import { spawnReplica } from '../src/dev/cluster.ts';

export const BENCH_ROOMS = Array.from({ length: 20 }, (_, i) => `bench-${String(i + 1).padStart(2, '0')}`);

export interface Database { url: string; sql: Sql; pidFile: string; stop(): Promise<void> }

/** An embedded PostgreSQL in a fresh temp folder, migrated, with the bench's rooms added. */
export async function startDatabase(): Promise<Database> {
  const dir = mkdtempSync(path.join(tmpdir(), 'chat-bench-'));
  let pg: EmbeddedPostgres | null = null;
  try {
    pg = await startEmbeddedPostgres({ dataDir: dir });
    const migrator = connect(pg.url, { max: 1, timeoutMs: 60_000 });
    await migrate(migrator).finally(() => migrator.end());
    const sql = connect(pg.url, { max: 2 });
    // Rooms are rows: the bench adds its own, as an admin would in pgAdmin.
    for (const [i, slug] of BENCH_ROOMS.entries()) {
      await sql`INSERT INTO rooms (slug, title, position) VALUES (${slug}, ${slug}, ${1000 + i}) ON CONFLICT (slug) DO NOTHING`;
    }
    const pidFile = path.join(dir, 'pg', 'postmaster.pid');
    const postmaster = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    // If the bench dies without cleaning up, do not leave a PostgreSQL behind.
    const orphanGuard = () => {
      try {
        process.kill(postmaster, 'SIGQUIT');
      } catch {
        // already gone
      }
      rmSync(dir, { recursive: true, force: true });
    };
    process.once('exit', orphanGuard);
    return {
      url: pg.url, sql, pidFile,
      async stop() {
        await sql.end({ timeout: 2 });
        await pg!.stop();
        process.off('exit', orphanGuard);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

export interface ReplicaSettings { notify: boolean; pollIntervalMs: number; cpuProfDir?: string }

const live = new Set<ReplicaProcess>();

export async function startReplicas(db: Database, count: number, s: ReplicaSettings): Promise<ReplicaProcess[]> {
  const env: Record<string, string> = {
    DATABASE_URL: db.url,
    SYNC_NOTIFY: s.notify ? 'on' : 'off',
    POLL_INTERVAL_MS: String(s.pollIntervalMs),
    RATE_LIMIT_MESSAGES: 'off',
    RATE_LIMIT_SIGNIN: 'off',
    RATE_LIMIT_REGISTER: 'off',
    RATE_LIMIT_SIGNIN_ADDRESS: 'off',
    RATE_LIMIT_SIGNIN_NAME: 'off',
    // Writers register their own names (POST /users).
    REGISTRATION: 'open',
    REGISTRATION_CHALLENGE: 'off',
    // One reader account holds every stream of the bench, from one address.
    STREAM_LIMIT_USER: 'off',
    STREAM_LIMIT_ADDRESS: 'off',
    DRAIN_DELAY_MS: '0',
    LOG_LEVEL: 'warn',
  };
  const nodeArgs = s.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${s.cpuProfDir}`] : [];
  const replicas: ReplicaProcess[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const r = await spawnReplica(`bench-${i + 1}`, env, { nodeArgs });
      live.add(r);
      replicas.push(r);
    }
    await Promise.all(replicas.map((r) => r.ready()));
  } catch (err) {
    await stopReplicas(replicas);
    throw err;
  }
  return replicas;
}

/** SIGTERM, then SIGKILL for any replica still running after 10 s. */
export async function stopReplicas(replicas: ReplicaProcess[]): Promise<void> {
  await Promise.all(replicas.map(async (r) => {
    if (r.proc.exitCode === null && r.proc.signalCode === null) {
      r.kill('SIGTERM');
      const timer = setTimeout(() => r.kill('SIGKILL'), 10_000);
      await r.exited;
      clearTimeout(timer);
    }
    live.delete(r);
  }));
}

/** Last resort on a crash: no replica outlives the bench. */
export function killAllReplicas(): void {
  for (const r of live) r.kill('SIGKILL');
}
