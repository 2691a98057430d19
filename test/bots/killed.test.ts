import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnReplica, type ReplicaProcess } from '../../src/dev/cluster.ts';
import { freshDatabase } from '../support/db.ts';
import { eventually, signIn } from '../support/client.ts';
import { call, makeBot } from './helpers.ts';
import { startReceiver } from './receiver.ts';

/** The pid of the process whose TCP connection to 127.0.0.1:port is open (the replica delivering). */
function connectedPid(port: number): number | null {
  const out = execFileSync('ss', ['-tnpH', 'state', 'established', 'dst', `127.0.0.1:${port}`], { encoding: 'utf8' });
  const m = /pid=(\d+)/.exec(out);
  return m ? Number(m[1]) : null;
}

// Above the 10 s request timeout, as the setting must be; the default is 30 s.
const STALE_AFTER_MS = 12_000;

describe('a replica killed in the middle of a delivery', () => {
  let replicas: ReplicaProcess[] = [];
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    receiver = await startReceiver();
    const db = await freshDatabase();
    const env = {
      DATABASE_URL: db, POLL_INTERVAL_MS: '50', RATE_LIMIT_MESSAGES: 'off', RATE_LIMIT_REGISTER: 'off', RATE_LIMIT_SIGNIN_ADDRESS: 'off',
      REGISTRATION: 'open', REGISTRATION_CHALLENGE: 'off', OUTBOUND_ALLOW: `127.0.0.1:${receiver.port}`, WEBHOOKS: 'on', PUSH: 'off', LOG_LEVEL: 'warn', OUTBOX_STALE_AFTER_MS: String(STALE_AFTER_MS),
    };
    replicas = await Promise.all([1, 2, 3].map((i) => spawnReplica(`killed-${i}`, env)));
    await Promise.all(replicas.map((r) => r.ready(60_000)));
  }, 120_000);
  afterAll(async () => {
    for (const r of replicas) r.kill('SIGKILL');
    await Promise.all(replicas.map((r) => r.exited));
    await receiver?.close();
  });

  it('does not lose it: another replica delivers it, with the same X-Chat-Delivery, and the reply is posted once', async () => {
    const [a] = replicas;
    const admin = await signIn(a!.url, `admin_${process.pid}`);
    await makeBot(a!.url, admin, 'survivor', receiver.url);
    // The first attempt hangs until its replica dies; the next one is answered.
    receiver.answer = (_r, n) => (n === 1 ? 'hang' : { status: 200, type: 'text/plain', body: 'still here' });
    expect((await call(a!.url, { cookie: admin }, 'POST', '/rooms/general/messages', { body: 'are you alive @survivor' })).status).toBe(201);
    await eventually(() => Promise.resolve(receiver.received.length), (n) => n === 1, 20_000);
    const pid = await eventually(() => Promise.resolve(connectedPid(receiver.port)), (p) => p !== null, 5_000);
    const victim = replicas.find((r) => r.proc.pid === pid)!;
    expect(victim, `pid ${pid} is one of the replicas`).toBeDefined();
    victim.kill('SIGKILL');
    await victim.exited;
    const killedAt = Date.now();
    const alive = replicas.find((r) => r !== victim)!;
    await eventually(() => Promise.resolve(receiver.received.length), (n) => n >= 2, STALE_AFTER_MS + 30_000);
    console.log(`delivered again ${Date.now() - killedAt} ms after the kill (stale after ${STALE_AFTER_MS} ms)`);
    const ids = new Set(receiver.received.map((r) => r.headers['x-chat-delivery']));
    expect(ids.size).toBe(1);
    const replies = async () => ((await (await call(alive.url, { cookie: admin }, 'GET', '/api/rooms/general/messages')).json()) as { messages: { author: string; body: string }[] })
      .messages.filter((m) => m.author === 'survivor' && m.body === 'still here');
    await eventually(replies, (l) => l.length === 1, 10_000);
    await new Promise((r) => setTimeout(r, 3000));
    expect(await replies()).toHaveLength(1);
    expect(receiver.received.length).toBe(2);
  }, 150_000);
});
