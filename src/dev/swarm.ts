import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { connect } from '../db/connect.ts';
import { startEmbeddedPostgres } from '../db/embedded.ts';
import { migrate } from '../db/migrate.ts';
import { migrateQueue } from '../outbox/queue.ts';
import { createBalancer } from './balancer.ts';
import { spawnReplica, type ReplicaProcess } from './cluster.ts';

// npm run swarm -- --replicas N: one embedded PostgreSQL, N replica processes, one entry on PORT.
const { values } = parseArgs({ options: { replicas: { type: 'string', default: '3' } } });
const count = Number(values.replicas);
if (!Number.isInteger(count) || count < 1 || count > 32) {
  console.error('--replicas takes a whole number from 1 to 32');
  process.exit(2);
}
const config = loadConfig();
const say = (msg: string) => console.log(`[swarm] ${msg}`);

const pg = config.databaseUrl ? null : await startEmbeddedPostgres({ dataDir: config.dataDir });
const databaseUrl = config.databaseUrl ?? pg!.url;
const migrator = connect(databaseUrl, { max: 1, timeoutMs: 60_000 });
await migrateQueue(databaseUrl);
await migrate(migrator).finally(() => migrator.end());

const replicas: ReplicaProcess[] = [];
let stopping = false;

async function launch(i: number, port?: number): Promise<void> {
  const r = await spawnReplica(`replica-${i + 1}`, { DATABASE_URL: databaseUrl, DRAIN_DELAY_MS: '0' }, { port });
  replicas[i] = r;
  void r.exited.then((code) => {
    if (stopping) return;
    say(`${r.name} died (exit ${code}); the entry skips it; restarting it in 2 s`);
    setTimeout(() => {
      launch(i, r.port).then(
        () => say(`${r.name} is back on :${r.port}`),
        (err: Error) => say(`${r.name} did not come back: ${err.message}`),
      );
    }, 2000);
  });
  await r.ready();
}

await Promise.all(Array.from({ length: count }, (_, i) => launch(i)));
const balancer = createBalancer(() =>
  replicas.map((r) => ({ name: r.name, url: r.url, alive: () => r.proc.exitCode === null && r.proc.signalCode === null })),
);
balancer.listen(config.port, config.host, () => {
  say(`${count} replicas: ${replicas.map((r) => `${r.name} :${r.port}`).join(', ')}`);
  say(`open http://localhost:${config.port} (round-robin over the replicas; the footer names the one that served the page)`);
  say('kill one (kill <pid>) to watch the others carry on; Ctrl-C stops everything');
  for (const r of replicas) say(`${r.name} pid ${r.proc.pid}`);
});

async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  say('stopping');
  balancer.close();
  balancer.closeAllConnections();
  for (const r of replicas) r.kill('SIGTERM');
  await Promise.all(replicas.map((r) => r.exited));
  await pg?.stop();
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
