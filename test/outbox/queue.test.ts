import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Sql } from '../../src/db/connect.ts';
import { migrate } from '../../src/db/migrate.ts';
import { migrateQueue } from '../../src/outbox/queue.ts';
import { postJson, signIn } from '../support/client.ts';
import { privateCluster } from '../support/db.ts';
import { startPushService, type PushService } from '../support/push-service.ts';
import { startReplica, type Replica } from '../support/replica.ts';
import { subscribeDevice, until } from '../push/helpers.ts';

// As deployed: deploy/postgres-init.sh's roles, the migrate step as the owner (the queue's schema,
// then sql/ and grants.sql), the replica as chat_app with only the rights grants.sql gives it.
function initSql(db: string): string {
  const script = readFileSync(new URL('../../deploy/postgres-init.sh', import.meta.url), 'utf8');
  const body = /<<'SQL'\n([\s\S]*?)\nSQL/.exec(script)![1]!;
  return body.replace(/:'(\w+)_password'/g, "'$1 test password'").replace(/:"db"/g, `"${db}"`);
}
const asApp = (url: string) => {
  const u = new URL(url);
  u.username = 'chat_app';
  u.password = 'app test password';
  return u.toString();
};

describe('the job queue in a deployment', () => {
  let cluster: Awaited<ReturnType<typeof privateCluster>>;
  let owner: Sql;
  let app: Sql;
  let service: PushService;
  let r: Replica;
  beforeAll(async () => {
    cluster = await privateCluster();
    owner = connect(cluster.url, { max: 1 });
    await owner.unsafe(initSql(new URL(cluster.url).pathname.slice(1))).simple();
    await migrateQueue(cluster.url);
    await migrate(owner);
    app = connect(asApp(cluster.url), { max: 1 });
    service = await startPushService();
    r = await startReplica(asApp(cluster.url), { push: true, outboundAllow: [service.hostPort] });
  });
  afterAll(async () => {
    await r?.close();
    await service?.close();
    await Promise.all([owner?.end(), app?.end()]);
    await cluster?.stop();
  });

  it('is installed by the migrate step and runs its jobs as chat_app, which may not change its schema', async () => {
    expect((await owner`SELECT count(*)::int AS n FROM graphile_worker.migrations`)[0]!.n).toBeGreaterThan(10);
    const ann = await signIn(r.url, 'ann');
    const bob = await signIn(r.url, 'bob');
    const phone = service.device('phone');
    expect((await subscribeDevice(r.url, bob, phone)).status).toBe(201);
    await postJson(r.url, ann, 'general', '@bob the queue works');
    expect(await until(() => service.received.length === 1)).toBe(true);
    const refused = await app`DROP TABLE graphile_worker._private_jobs`.then(() => 'allowed', (e: { code?: string }) => e.code);
    expect(refused).toBe('42501');
  });
});
