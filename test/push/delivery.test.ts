import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Sql } from '../../src/db/connect.ts';
import { openStream, postJson, signIn } from '../support/client.ts';
import { freshDatabase } from '../support/db.ts';
import { startPushService, type Device, type PushService } from '../support/push-service.ts';
import { startReplica, type Replica } from '../support/replica.ts';
import { json, sleep, subscribeDevice, until } from './helpers.ts';

// Three replicas on one database, a stand-in push service on 127.0.0.1 that decrypts every push
// with the device's keys and verifies the VAPID JWT, as a real one and a browser would.
let service: PushService;
let replicas: Replica[];
let sql: Sql;
let ann: string;
let bob: string;
let bobId: string;
let phone: Device;
let url: string;

const publicKeyOf = async (base: string) => ((await (await fetch(`${base}/api/push/key`, { headers: json(bob) })).json()) as { publicKey: string }).publicKey;
const pushesFor = (device: string) => service.received.filter((r) => r.device === device);

beforeAll(async () => {
  url = await freshDatabase();
  service = await startPushService();
  sql = connect(url);
  replicas = [];
  for (let i = 0; i < 3; i++) replicas.push(await startReplica(url, { push: true, outboundAllow: [service.hostPort], rateLimitMessages: null }));
  ann = await signIn(replicas[0]!.url, 'ann');
  bob = await signIn(replicas[1]!.url, 'bob');
  bobId = (await sql<{ id: string }[]>`SELECT id::text FROM users WHERE name = 'bob'`)[0]!.id;
  phone = service.device('bob-phone');
});

afterAll(async () => {
  for (const r of replicas ?? []) await r.close();
  await service?.close();
  await sql?.end();
});

describe('Web Push', () => {
  it('hands out one VAPID public key on every replica, the same after it was made', async () => {
    const keys = await Promise.all(replicas.map(async (r) => publicKeyOf(r.url)));
    expect(keys[0]).toMatch(/^[A-Za-z0-9_-]{87}$/);
    expect(new Set(keys).size).toBe(1);
    expect((await fetch(`${replicas[0]!.url}/api/push/key`)).status).toBe(401);
  });

  it('keeps a subscription per device: 201 the first time, 200 when known, 400 for an endpoint it may not reach', async () => {
    expect((await subscribeDevice(replicas[2]!.url, bob, phone)).status).toBe(201);
    expect((await subscribeDevice(replicas[0]!.url, bob, phone)).status).toBe(200);
    const bad = async (endpoint: string, keys = phone.keys) => {
      const res = await subscribeDevice(replicas[0]!.url, bob, { endpoint, keys });
      return [res.status, ((await res.json()) as { error: string }).error];
    };
    expect(await bad('https://127.0.0.1:9/push/x')).toEqual([400, expect.stringMatching(/public address/)]);
    expect(await bad('http://push.example.com/x')).toEqual([400, expect.stringMatching(/https/)]);
    expect(await bad('not a url')).toEqual([400, expect.any(String)]);
    expect(await bad(phone.endpoint, { p256dh: 'short', auth: phone.keys.auth })).toEqual([400, expect.stringMatching(/p256dh/)]);
  });

  it('sends a mention to a person whose tab is closed exactly once over three replicas, encrypted and signed', async () => {
    const publicKey = await publicKeyOf(replicas[0]!.url);
    const res = await postJson(replicas[0]!.url, ann, 'general', 'lunch, @bob?');
    const { message } = (await res.json()) as { message: { id: string } };
    expect(await until(() => pushesFor('bob-phone').length >= 1)).toBe(true);
    await sleep(2000); // every replica's dispatcher and workers have had their turns
    expect(pushesFor('bob-phone')).toHaveLength(1);
    const [got] = pushesFor('bob-phone');
    expect(got!.payload).toMatchObject({ title: 'ann in General', body: 'lunch, @bob?', url: `/rooms/general/messages/${message.id}` });
    expect(got!.jwt.k).toBe(publicKey);
    expect(service.rejected).toEqual([]);
  });

  it('does not push a message that does not call the person, at the default level', async () => {
    const before = pushesFor('bob-phone').length;
    await postJson(replicas[1]!.url, ann, 'general', 'nobody in particular');
    await sleep(2500);
    expect(pushesFor('bob-phone')).toHaveLength(before);
  });

  it('pushes nothing while the person has a tab open on any replica, and again once it is closed', async () => {
    const before = pushesFor('bob-phone').length;
    const tab = await openStream(replicas[2]!.url, 'general', { cookie: bob, path: '/events?room=general' });
    expect(await until(async () => (await sql`SELECT 1 FROM presence WHERE user_id = ${bobId}`).length > 0, 5000)).toBe(true);
    await postJson(replicas[0]!.url, ann, 'general', '@bob are you there?');
    await sleep(2500);
    expect(pushesFor('bob-phone')).toHaveLength(before);
    tab.close();
    expect(await until(async () => (await sql`SELECT 1 FROM presence WHERE user_id = ${bobId}`).length === 0, 5000)).toBe(true);
    await postJson(replicas[1]!.url, ann, 'general', '@bob now?');
    expect(await until(() => pushesFor('bob-phone').length === before + 1)).toBe(true);
    expect(pushesFor('bob-phone').at(-1)!.payload.body).toBe('@bob now?');
  });

  it('deletes a subscription the push service says is gone (410)', async () => {
    const tablet = service.device('bob-tablet');
    expect((await subscribeDevice(replicas[1]!.url, bob, tablet)).status).toBe(201);
    service.answer('bob-tablet', 410);
    await postJson(replicas[2]!.url, ann, 'general', '@bob one more');
    expect(await until(async () => (await sql`SELECT 1 FROM push_subscriptions WHERE endpoint = ${tablet.endpoint}`).length === 0)).toBe(true);
    expect((await sql`SELECT 1 FROM push_subscriptions WHERE endpoint = ${phone.endpoint}`).length).toBe(1);
  });

  it('forgets the device when it signs out, and answers 404 on a replica with PUSH=off', async () => {
    const laptop = service.device('bob-laptop');
    const other = await signIn(replicas[0]!.url, 'bob');
    expect((await subscribeDevice(replicas[0]!.url, other, laptop)).status).toBe(201);
    const end = await fetch(`${replicas[0]!.url}/session/end`, { method: 'POST', headers: json(other) });
    expect(end.status).toBe(204);
    expect((await sql`SELECT 1 FROM push_subscriptions WHERE endpoint = ${laptop.endpoint}`).length).toBe(0);
    expect((await sql`SELECT 1 FROM push_subscriptions WHERE endpoint = ${phone.endpoint}`).length).toBe(1);
    const off = await startReplica(url, { push: false });
    try {
      expect((await fetch(`${off.url}/api/push/key`, { headers: json(bob) })).status).toBe(404);
    } finally {
      await off.close();
    }
  });
});
