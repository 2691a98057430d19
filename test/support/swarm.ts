import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { freePort } from '../../src/db/embedded.ts';

export interface Swarm {
  url: string;
  /** Replica name (as in X-Replica and the page footer) to its process id. */
  pids: Map<string, number>;
  output: string[];
  stop(): Promise<void>;
}

const ROOT = new URL('../../', import.meta.url);

/**
 * `npm run swarm -- --replicas N` as a child process, in a process group of its own, with its own
 * embedded PostgreSQL in a fresh directory and its entry on a free port.
 */
export async function startSwarm(replicas: number, env: Record<string, string> = {}, timeoutMs = 90_000): Promise<Swarm> {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'chat-swarm-'));
  const proc: ChildProcess = spawn('npm', ['run', 'swarm', '--', '--replicas', String(replicas)], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, DATABASE_URL: '',
      REGISTRATION: 'open', REGISTRATION_CHALLENGE: 'off', RATE_LIMIT_MESSAGES: 'off', LOG_LEVEL: 'warn', ...env,
    },
  });
  const output: string[] = [];
  const pids = new Map<string, number>();
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const stop = async () => {
    try {
      process.kill(-proc.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
    const killer = setTimeout(() => { try { process.kill(-proc.pid!, 'SIGKILL'); } catch { /* gone */ } }, 15_000);
    await exited;
    clearTimeout(killer);
    rmSync(dataDir, { recursive: true, force: true });
  };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the swarm did not start within ${timeoutMs} ms:\n${output.slice(-20).join('\n')}`)), timeoutMs);
    void exited.then(() => reject(new Error(`the swarm exited:\n${output.slice(-20).join('\n')}`)));
    for (const stream of [proc.stdout!, proc.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        output.push(line);
        const pid = /^\[swarm\] (\S+) pid (\d+)$/.exec(line);
        if (pid) pids.set(pid[1]!, Number(pid[2]));
        if (pids.size === replicas) {
          clearTimeout(timer);
          resolve();
        }
      });
    }
  }).catch(async (err) => {
    await stop();
    throw err;
  });
  return { url: `http://127.0.0.1:${port}`, pids, output, stop };
}
