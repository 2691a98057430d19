import { spawn } from 'node:child_process';
import { request, Agent } from 'node:http';
import net from 'node:net';
import { sleep } from './clients.ts';
import { summarize } from './stats.ts';

// What this machine charges before any chat code runs: the floor under the latency figures.

const ECHO = `const s=require('net').createServer(c=>{c.setNoDelay(true);c.on('data',d=>c.write(d))});
s.listen(0,'127.0.0.1',()=>console.log(s.address().port));process.on('disconnect',()=>process.exit(0));`;

/** Round trip of one byte to another process over loopback TCP, back to back and 20 ms apart. */
async function processRoundTrip(): Promise<{ busy: number; idle: number }> {
  const child = spawn(process.execPath, ['-e', ECHO], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
      child.once('error', reject);
    });
    const c = net.connect(port, '127.0.0.1');
    c.setNoDelay(true);
    await new Promise((r) => c.once('connect', r));
    const run = async (gap: number) => {
      const ts: number[] = [];
      for (let i = 0; i < 150; i++) {
        const t = performance.now();
        c.write('x');
        await new Promise((r) => c.once('data', r));
        ts.push(performance.now() - t);
        if (gap) await sleep(gap);
      }
      return summarize(ts.slice(20)).p50;
    };
    const busy = await run(0);
    const idle = await run(20);
    c.destroy();
    return { busy, idle };
  } finally {
    child.kill();
  }
}

/** Microseconds one write of an SSE-sized chunk costs, over many loopback sockets in a row. */
async function socketWriteCost(n: number): Promise<number> {
  const server = net.createServer();
  const accepted: net.Socket[] = [];
  const clients: net.Socket[] = [];
  server.on('connection', (s) => accepted.push(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as net.AddressInfo;
  try {
    for (let i = 0; i < n; i += 100) {
      const batch = Array.from({ length: Math.min(100, n - i) }, () => net.connect(port, '127.0.0.1').on('data', () => {}));
      await Promise.all(batch.map((c) => new Promise((r) => c.once('connect', r))));
      clients.push(...batch);
    }
    while (accepted.length < n) await sleep(10);
    const chunk = Buffer.alloc(400, 'x');
    const rounds: number[] = [];
    for (let round = 0; round < 5; round++) {
      const t = performance.now();
      for (const s of accepted) s.write(chunk);
      rounds.push(((performance.now() - t) * 1000) / n);
      await sleep(100);
    }
    return summarize(rounds).p50;
  } finally {
    for (const c of clients) c.destroy();
    for (const s of accepted) s.destroy();
    server.close();
  }
}

export interface Floor { roundTripBusyMs: number; roundTripIdleMs: number; writeUs: number; writeSockets: number }

export async function measureFloor(): Promise<Floor> {
  const rt = await processRoundTrip();
  const writeSockets = 2000;
  return { roundTripBusyMs: rt.busy, roundTripIdleMs: rt.idle, writeUs: await socketWriteCost(writeSockets), writeSockets };
}

/** p50 of GET /healthz (no database, no work) on a replica, requests 20 ms apart as at 20 msg/s. */
export async function healthzRoundTrip(base: string): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const ts: number[] = [];
  try {
    for (let i = 0; i < 80; i++) {
      const t = performance.now();
      await new Promise<void>((resolve, reject) => {
        request(`${base}/healthz`, { agent }, (res) => res.resume().on('end', () => resolve())).on('error', reject).end();
      });
      ts.push(performance.now() - t);
      await sleep(20);
    }
  } finally {
    agent.destroy();
  }
  return summarize(ts.slice(10)).p50;
}
