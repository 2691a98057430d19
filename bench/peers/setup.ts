import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from '../cluster.ts';
import type { PeerKind } from '../rig-types.ts';

// The peer lives apart from the chat: its own package.json, installed here when missing, and
// Redis from Debian's redis-server. Nothing of it is among the project's dependencies.
const HERE = path.dirname(fileURLToPath(import.meta.url));
const SERVER = path.join(HERE, 'server.js');

/** Whether every dependency of bench/peers/package.json is in its node_modules (an older install may lack a newer one). */
function installed(): boolean {
  const pkg = JSON.parse(readFileSync(path.join(HERE, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  return Object.keys(pkg.dependencies).every((name) => existsSync(path.join(HERE, 'node_modules', name, 'package.json')));
}

/** Why the peers cannot run here, or null once their packages and redis-server are in place. */
export function preparePeer(log: (m: string) => void): string | null {
  if (!installed()) {
    log('installing the peer\'s packages: npm ci --prefix bench/peers');
    const r = spawnSync('npm', ['ci', '--prefix', HERE, '--no-audit', '--no-fund'], { stdio: 'inherit' });
    if (r.status !== 0) return 'npm ci --prefix bench/peers failed';
  }
  if (spawnSync('redis-server', ['--version']).status === 0) return null;
  if (process.getuid?.() !== 0) return 'redis-server is not installed and the bench is not root (apt-get install redis-server)';
  log('installing Debian\'s redis-server with apt-get');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const r = spawnSync('apt-get', ['install', '-y', 'redis-server'], { stdio: 'inherit', env });
  if (r.status !== 0) spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
  if (r.status !== 0 && spawnSync('apt-get', ['install', '-y', 'redis-server'], { stdio: 'inherit', env }).status !== 0) {
    return 'apt-get install redis-server failed';
  }
  return spawnSync('redis-server', ['--version']).status === 0 ? null : 'redis-server is still missing';
}

const freePort = () => new Promise<number>((resolve, reject) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address() as net.AddressInfo;
    s.close(() => resolve(port));
  }).on('error', reject);
});

export interface PeerNode { url: string; proc: ChildProcess; exited: Promise<void> }
export interface PeerCluster { nodes: PeerNode[]; redisPid: number; stop(): Promise<void> }

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const p of live) p.kill('SIGKILL');
});

function track(proc: ChildProcess): Promise<void> {
  live.add(proc);
  return new Promise((r) => proc.once('exit', () => {
    live.delete(proc);
    r();
  }));
}

async function startNode(i: number, env: Record<string, string>): Promise<PeerNode> {
  const proc = spawn(process.execPath, [SERVER], { cwd: HERE, env: { ...process.env, ...env, NODE_NAME: `peer-${i + 1}` }, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = track(proc);
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('peer node did not start within 20 s')), 20_000);
    proc.stdout.on('data', (d: Buffer) => {
      const m = /listening (\d+)/.exec(d.toString());
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    proc.once('exit', () => reject(new Error('peer node exited at start')));
  });
  return { url: `http://127.0.0.1:${port}`, proc, exited };
}

/** Redis on a random port of 127.0.0.1 (no disk), the peer's tables, and `count` nodes of this peer (server.js's PEER_ADAPTER). */
export async function startPeer(db: Database, count: number, kind: PeerKind): Promise<PeerCluster> {
  await db.sql`CREATE TABLE IF NOT EXISTS peer_messages (id bigserial PRIMARY KEY, room text NOT NULL, author text NOT NULL,
    body text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`;
  await db.sql`CREATE TABLE IF NOT EXISTS peer_sessions (token text PRIMARY KEY, name text NOT NULL)`;
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'peer-redis-'));
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' });
  const redisExited = track(redis);
  const nodes: PeerNode[] = [];
  const stop = async () => {
    for (const n of nodes) n.proc.kill('SIGTERM');
    await Promise.race([Promise.all(nodes.map((n) => n.exited)), new Promise((r) => setTimeout(r, 5000))]);
    for (const n of nodes) n.proc.kill('SIGKILL');
    redis.kill('SIGKILL');
    await redisExited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < 100; i++) {
      const up = await new Promise<boolean>((r) => net.connect(port, '127.0.0.1').once('connect', function (this: net.Socket) {
        this.destroy();
        r(true);
      }).once('error', () => r(false)));
      if (up) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const env = { DATABASE_URL: db.url, REDIS_URL: `redis://127.0.0.1:${port}`, PEER_ADAPTER: kind };
    for (let i = 0; i < count; i++) nodes.push(await startNode(i, env));
    return { nodes, redisPid: redis.pid!, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
