import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect as netConnect } from 'node:net';
import { freePort } from '../../src/db/embedded.ts';
import { spawnReplica, type ReplicaProcess } from '../../src/dev/cluster.ts';
import { freshDatabase } from '../support/db.ts';

describe('a replica with METRICS_PORT set', () => {
  let r: ReplicaProcess;
  let metricsPort: number;
  beforeAll(async () => {
    metricsPort = await freePort();
    r = await spawnReplica('edges', { DATABASE_URL: await freshDatabase(), LOG_LEVEL: 'warn', METRICS_PORT: String(metricsPort) });
    await r.ready();
  });
  afterAll(() => r?.kill('SIGKILL'));

  it('serves /metrics on that port only, never on the public one, however the path is spelled', async () => {
    const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('chat_open_streams');
    for (const path of ['/metrics', '/%6detrics', '/METRICS', '/metrics/']) {
      expect((await fetch(`${r.url}${path}`)).status, path).not.toBe(200);
    }
    expect((await fetch(`http://127.0.0.1:${metricsPort}/rooms/general`)).status).toBe(404);
  });

  it('cuts a client that sends its headers too slowly, after about 30 s', async () => {
    const started = Date.now();
    const closedAfter = await new Promise<number>((resolve) => {
      const socket = netConnect(r.port, '127.0.0.1', () => socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n'));
      const drip = setInterval(() => socket.write('X-Slow: 1\r\n'), 2000);
      socket.on('close', () => {
        clearInterval(drip);
        resolve(Date.now() - started);
      });
      socket.on('error', () => {});
    });
    console.log(`a slow-header client was cut after ${closedAfter} ms`);
    expect(closedAfter).toBeGreaterThan(25_000);
    expect(closedAfter).toBeLessThan(45_000);
  }, 60_000);
});
