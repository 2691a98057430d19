import { createServer } from 'node:http';
import { spawnReplica, type ReplicaProcess } from '../src/dev/cluster.ts';
import { sleep } from './clients.ts';
import { startDatabase } from './cluster.ts';
import { summarize } from './stats.ts';
import { signIn } from './writers.ts';

// npx tsx bench/bots.ts [rate=20] [seconds=30]: outgoing webhooks at a steady post rate over three
// replicas. (1) posts that mention nobody who exists, no bots: the post's p50/p99; (2) the same
// posts mentioning a bot whose webhook is a receiver on 127.0.0.1: the post's p50/p99 again, and
// the delivery latency from sending the post to the receiver having the webhook's body.
const RATE = Number(process.argv[2] ?? 20);
const SECONDS = Number(process.argv[3] ?? 30);

async function main(): Promise<void> {
  const arrivals = new Map<number, number>();
  let duplicates = 0;
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c)).on('end', () => {
      const n = Number(/tick (\d+)/.exec((JSON.parse(Buffer.concat(chunks).toString()) as { message: { body: string } }).message.body)?.[1]);
      if (arrivals.has(n)) duplicates++;
      else arrivals.set(n, performance.now());
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const port = (receiver.address() as { port: number }).port;
  const db = await startDatabase();
  const env = {
    DATABASE_URL: db.url, POLL_INTERVAL_MS: '100', RATE_LIMIT_MESSAGES: 'off', RATE_LIMIT_BOT_MESSAGES: 'off', RATE_LIMIT_REGISTER: 'off',
    RATE_LIMIT_SIGNIN_ADDRESS: 'off', REGISTRATION: 'open', REGISTRATION_CHALLENGE: 'off', OUTBOUND_ALLOW: `127.0.0.1:${port}`,
    WEBHOOKS: 'on', PUSH: 'off', LOG_LEVEL: 'warn',
  };
  const replicas: ReplicaProcess[] = [];
  try {
    for (let i = 1; i <= 3; i++) replicas.push(await spawnReplica(`bots-${i}`, env));
    await Promise.all(replicas.map((r) => r.ready(60_000)));
    const admin = await signIn(replicas[0]!.url, 'bench-admin');
    const writer = await signIn(replicas[0]!.url, 'bench-writer');
    const sent = new Map<number, number>();
    let seq = 0;
    const run = async (mention: string): Promise<number[]> => {
      const times: number[] = [];
      const pending: Promise<void>[] = [];
      const start = performance.now();
      for (let i = 0; i < RATE * SECONDS; i++) {
        const due = start + (i * 1000) / RATE;
        if (due > performance.now()) await sleep(due - performance.now());
        const n = seq++;
        const base = replicas[n % replicas.length]!.url;
        const t = performance.now();
        sent.set(n, t);
        pending.push(fetch(`${base}/rooms/general/messages`, {
          method: 'POST', headers: { 'content-type': 'application/json', cookie: writer }, body: JSON.stringify({ body: `tick ${n} ${mention}` }) }).then(async (res) => {
          await res.arrayBuffer();
          if (res.status === 201) times.push(performance.now() - t);
        }));
      }
      await Promise.all(pending);
      return times;
    };
    await run('warm-up @nobody'); // also warms the replicas' code paths
    const without = summarize(await run('@nobody'));
    const made = await fetch(`${replicas[0]!.url}/api/bots`, {
      method: 'POST', headers: { 'content-type': 'application/json', cookie: admin }, body: JSON.stringify({ name: 'deploy', webhookUrl: `http://127.0.0.1:${port}/hook` }),
    });
    if (made.status !== 201) throw new Error(`bot: ${made.status} ${await made.text()}`);
    await sleep(1000);
    const firstBotTick = seq;
    const withBots = summarize(await run('@deploy'));
    const deadline = Date.now() + 30_000;
    while (arrivals.size < seq - firstBotTick && Date.now() < deadline) await sleep(100);
    const latencies = [...arrivals].filter(([n]) => n >= firstBotTick).map(([n, at]) => at - sent.get(n)!);
    const delivery = summarize(latencies);
    const f = (x: number) => x.toFixed(1);
    console.log(`rate ${RATE} msg/s for ${SECONDS} s, 3 replicas, POLL_INTERVAL_MS 100`);
    console.log(`post, no bots:         p50 ${f(without.p50)} ms, p99 ${f(without.p99)} ms (n ${without.n})`);
    console.log(`post, mentioning a bot: p50 ${f(withBots.p50)} ms, p99 ${f(withBots.p99)} ms (n ${withBots.n})`);
    console.log(`delivery post->receiver: p50 ${f(delivery.p50)} ms, p99 ${f(delivery.p99)} ms, max ${f(delivery.max)} ms; ${latencies.length}/${seq - firstBotTick} delivered, ${duplicates} twice`);
    const [split] = await db.sql<{ plan: number; run: number; plan99: number; run99: number; http: number }[]>`
      SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM d.created_at - m.created_at) * 1000) AS plan,
             percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM d.created_at - m.created_at) * 1000) AS plan99,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM d.updated_at - d.created_at) * 1000) AS run,
             percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM d.updated_at - d.created_at) * 1000) AS run99,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY d.latency_ms) AS http
      FROM webhook_deliveries d JOIN messages m ON m.id = d.message_id`;
    console.log(`  of which: post committed -> planned (dispatcher) p50 ${f(split!.plan)} ms, p99 ${f(split!.plan99)} ms; planned -> delivered (queue) p50 ${f(split!.run)} ms, p99 ${f(split!.run99)} ms (the HTTP exchange itself p50 ${f(split!.http)} ms)`);
  } finally {
    for (const r of replicas) r.kill('SIGTERM');
    await Promise.all(replicas.map((r) => r.exited));
    await db.stop();
    receiver.close();
  }
}

await main();
