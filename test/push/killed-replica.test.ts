import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, signIn } from '../support/client.ts';
import { startPushService, type PushService } from '../support/push-service.ts';
import { startSwarm, type Swarm } from '../support/swarm.ts';
import { sleep, subscribeDevice, until } from './helpers.ts';

// npm run swarm with three replica processes: the one that took the post is SIGKILLed the moment
// it has answered. The post is in the log, and the log is the outbox: another replica pushes it.
let swarm: Swarm;
let service: PushService;

beforeAll(async () => {
  service = await startPushService();
  swarm = await startSwarm(3, { OUTBOUND_ALLOW: service.hostPort, PUSH: 'on' });
});
afterAll(async () => {
  await swarm?.stop();
  await service?.close();
});

describe('Web Push when the replica that took the post dies', () => {
  it('still delivers the push, once, after a SIGKILL right after the answer', async () => {
    const ann = await signIn(swarm.url, 'ann');
    const bob = await signIn(swarm.url, 'bob');
    expect((await subscribeDevice(swarm.url, bob, service.device('phone'))).status).toBe(201);
    for (const round of [1, 2]) {
      const res = await postJson(swarm.url, ann, 'general', `@bob round ${round}`);
      const replica = res.headers.get('x-replica')!;
      process.kill(swarm.pids.get(replica)!, 'SIGKILL');
      expect(res.status).toBe(201);
      expect(await until(() => service.received.length >= round, 30_000)).toBe(true);
      await sleep(3000); // a restarted replica, the survivors' dispatchers and workers all had their turn
      expect(service.received.map((r) => r.payload.body)).toEqual([1, 2].slice(0, round).map((n) => `@bob round ${n}`));
    }
    expect(service.rejected).toEqual([]);
  }, 120_000);
});
