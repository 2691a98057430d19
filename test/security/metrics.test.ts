import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';

// Issue 19 (Low): `npm start` answered /metrics to anyone on the public port; only the stack moved
// it to METRICS_PORT. Now the public port serves it only with METRICS_TOKEN set, to that token.
describe('/metrics on the public port', () => {
  let plain: Replica;
  let tokened: Replica;
  const token = 'a-metrics-token-of-some-length';
  beforeAll(async () => {
    const db = await freshDatabase();
    [plain, tokened] = await Promise.all([startReplica(db, { metricsToken: null }), startReplica(db, { metricsToken: token })]);
  });
  afterAll(() => Promise.all([plain?.close(), tokened?.close()]));

  it('is not served at all by default, however the path is spelled', async () => {
    for (const path of ['/metrics', '/%6detrics', '/METRICS', '/metrics/']) {
      const res = await fetch(`${plain.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
      // A path that is not an open one asks for a session first: anything but the metrics.
      expect([401, 404], path).toContain(res.status);
      expect(await res.text()).not.toContain('chat_open_streams');
    }
  });

  it('answers only a request bearing METRICS_TOKEN when that is set', async () => {
    for (const authorization of [undefined, 'Bearer wrong-token-wrong-token', `Basic ${token}`, `Bearer ${token}x`, 'Bearer ']) {
      const res = await fetch(`${tokened.url}/metrics`, { headers: authorization ? { authorization } : {} });
      expect(res.status, authorization).toBe(404);
    }
    const res = await fetch(`${tokened.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('chat_open_streams');
  });

  it('refuses a METRICS_TOKEN too short to be a secret, naming the variable', () => {
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN/);
    expect(loadConfig({}).metricsToken).toBeNull();
  });
});
