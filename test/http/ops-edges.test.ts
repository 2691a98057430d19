import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
});
