import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { freePort } from '../db/embedded.ts';

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));

export interface ReplicaProcess {
  name: string;
  port: number;
  url: string;
  proc: ChildProcess;
  /** Lines the replica printed (JSON logs), newest last. */
  logs: string[];
  exited: Promise<number | null>;
  ready(timeoutMs?: number): Promise<void>;
  kill(signal?: NodeJS.Signals): void;
}

/** What local replicas (swarm, benches, tests) take for /metrics on their own port: loopback only, no secret. */
export const DEV_METRICS_TOKEN = 'dev-metrics-on-loopback';
/** /metrics of a local replica started with DEV_METRICS_TOKEN. */
export const devMetrics = (base: string) => fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${DEV_METRICS_TOKEN}` } }).then((r) => r.text());

/** Starts `node --import tsx src/main.ts` as one replica on a free port. */
/** `nodeArgs` go before the script, e.g. --cpu-prof (which NODE_OPTIONS refuses). */
export async function spawnReplica(
  name: string,
  env: Record<string, string>,
  opts: { port?: number; echo?: boolean; nodeArgs?: string[] } = {},
): Promise<ReplicaProcess> {
  const port = opts.port ?? (await freePort());
  const proc = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', MAIN], {
    env: { ...process.env, HOST: '127.0.0.1', LOG_LEVEL: 'info', METRICS_TOKEN: DEV_METRICS_TOKEN, ...env, PORT: String(port), REPLICA_NAME: name },
    // The IPC channel lets a replica notice that its parent died and stop with it.
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const logs: string[] = [];
  for (const stream of [proc.stdout!, proc.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => {
      logs.push(line);
      if (logs.length > 2000) logs.shift();
      if (opts.echo) console.log(line);
    });
  }
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  return {
    name, port, url, proc, logs, exited,
    async ready(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (proc.exitCode !== null) throw new Error(`${name} exited (${proc.exitCode}): ${logs.slice(-5).join('\n')}`);
        const ok = await fetch(`${url}/readyz`).then((r) => r.ok, () => false);
        if (ok) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`${name} was not ready within ${timeoutMs} ms: ${logs.slice(-5).join('\n')}`);
    },
    kill: (signal = 'SIGTERM') => void proc.kill(signal),
  };
}
