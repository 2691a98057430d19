import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddedPostgres } from '../../src/db/embedded.ts';
import { spawnReplica, type ReplicaProcess } from '../../src/dev/cluster.ts';
import { openStream, postJson, signIn } from '../support/client.ts';
import { privateCluster } from '../support/db.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a database outage', () => {
  let cluster: Awaited<ReturnType<typeof privateCluster>>;
  let pg: EmbeddedPostgres;
  let replicas: ReplicaProcess[];
  beforeAll(async () => {
    // Its own PostgreSQL, because this test stops it.
    cluster = await privateCluster();
    pg = cluster.pg;
    replicas = await Promise.all(['out-1', 'out-2'].map((n) => spawnReplica(n, { DATABASE_URL: pg.url, RATE_LIMIT_MESSAGES: 'off', LOG_LEVEL: 'debug' })));
    await Promise.all(replicas.map((r) => r.ready()));
  });
  afterAll(async () => {
    for (const r of replicas) r.kill('SIGKILL');
    await cluster.stop();
  });

  it('answers posts with a quick 503, then every replica recovers by itself and delivers everything it accepted', async () => {
    const [a, b] = replicas as [ReplicaProcess, ReplicaProcess];
    const cookie = await signIn(a.url);
    const streams = await Promise.all([openStream(a.url, 'general', { cookie }), openStream(b.url, 'general', { cookie })]);
    const accepted: string[] = [];
    const post = async (r: ReplicaProcess, body: string) => {
      const started = Date.now();
      const res = await postJson(r.url, cookie, 'general', body);
      if (res.status === 201) accepted.push(((await res.json()) as { message: { id: string } }).message.id);
      return { status: res.status, ms: Date.now() - started, body: await res.text().catch(() => '') };
    };
    for (let i = 0; i < 10; i++) expect((await post(i % 2 ? a : b, `before ${i}`)).status).toBe(201);

    await pg.stop();
    const during: { status: number; ms: number }[] = [];
    const outageStart = Date.now();
    while (Date.now() - outageStart < 5000) {
      during.push(await post(during.length % 2 ? a : b, `during ${during.length}`));
      await sleep(200);
    }
    const readiness = await Promise.all(replicas.map((r) => fetch(`${r.url}/readyz`).then((x) => x.status)));
    await pg.start();

    console.log(`during the outage: ${during.length} posts, all ${[...new Set(during.map((d) => d.status))].join("/")}, slowest ${Math.max(...during.map((d) => d.ms))} ms`);
    expect(during.every((d) => d.status === 503)).toBe(true);
    expect(Math.max(...during.map((d) => d.ms))).toBeLessThan(3000);
    expect(readiness).toEqual([503, 503]);

    await Promise.all(replicas.map((r) => r.ready(20_000)));
    // Ready means a poll succeeded; a pool connection still on its reconnect backoff may answer
    // one more 503, which the client retries. Within 5 s every post is taken.
    const deadline = Date.now() + 5000;
    const after: string[] = [];
    for (let i = 0; i < 10; i++) {
      let status = 0;
      while (status !== 201 && Date.now() < deadline) {
        const r = await post(i % 2 ? a : b, `after ${i}`);
        status = r.status;
        after.push(`${i % 2 ? 'a' : 'b'} ${r.status} in ${r.ms} ms`);
      }
      // Should it fail, say how: the answers after recovery, and what each replica logged last.
      const why = () => [after.join(', '), ...replicas.map((r) => `${r.name}:\n${r.logs.slice(-25).join('\n')}`)].join('\n');
      expect(status, status === 201 ? '' : why()).toBe(201);
    }
    for (const s of streams) {
      const got = await s.waitFor(accepted.length, 15_000);
      expect(got.map((e) => e.message.id).sort()).toEqual([...accepted].sort());
      s.close();
    }
  });
});
