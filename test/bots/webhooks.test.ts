import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verify } from '../../src/bots/signature.ts';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';
import { eventually, signIn } from '../support/client.ts';
import { call, firstAdmin, makeBot, type Made } from './helpers.ts';
import { startReceiver, type Received } from './receiver.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type Delivered = { message: { id: string; body: string; author: string; room: string; cursor: string; createdAt: string }; room: { slug: string; title: string; kind: string }; author: { name: string } };
const parsed = (r: Received) => JSON.parse(r.body.toString()) as Delivered;

describe('outgoing webhooks: a mention or a direct message is POSTed, signed, once, and the answer is the reply', () => {
  let replicas: Replica[];
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let admin: string;
  let alice: string;
  let echo: Made;
  const posts = (r: Replica, cookie: string, room: string, body: string) => call(r.url, { cookie }, 'POST', `/rooms/${room}/messages`, { body });
  const forBody = (text: string) => receiver.received.filter((r) => parsed(r).message.body === text);
  const roomMessages = async (room: string, cookie = admin) =>
    ((await (await call(replicas[0]!.url, { cookie }, 'GET', `/api/rooms/${room}/messages?limit=200`)).json()) as { messages: { author: string; body: string }[] }).messages;

  beforeAll(async () => {
    receiver = await startReceiver();
    const db = await freshDatabase();
    const settings = { rateLimitMessages: null, rateLimitBotMessages: null, webhooks: true, outboundAllow: [`127.0.0.1:${receiver.port}`] };
    replicas = await Promise.all([1, 2, 3].map(() => startReplica(db, settings)));
    admin = await firstAdmin(replicas[0]!.url);
    alice = await signIn(replicas[0]!.url, `alice_${process.pid}`);
    echo = await makeBot(replicas[0]!.url, admin, 'echo', receiver.url);
  });
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.close()));
    await receiver?.close();
  });

  it('a mention is delivered with the documented body and headers, the signature verifies, and the text answer is posted as the bot', async () => {
    receiver.answer = (r) => ({ status: 200, type: 'text/plain; charset=utf-8', body: `pong to ${parsed(r).author.name}` });
    expect((await posts(replicas[1]!, alice, 'general', 'ping @echo')).status).toBe(201);
    const [got] = await eventually(() => Promise.resolve(forBody('ping @echo')), (l) => l.length === 1, 20_000);
    const h = got!.headers;
    expect(h['content-type']).toBe('application/json');
    expect(h['x-chat-delivery']).toMatch(/^[0-9a-f-]{36}$/);
    expect(Math.abs(Number(h['x-chat-timestamp']) - Date.now() / 1000)).toBeLessThan(30);
    expect(verify(echo.webhookSecret, String(h['x-chat-timestamp']), got!.body, String(h['x-chat-signature']))).toBe(true);
    const d = parsed(got!);
    expect(d.room).toEqual({ slug: 'general', title: 'General', kind: 'open' });
    expect(d.author).toEqual({ name: `alice_${process.pid}` });
    expect(d.message).toMatchObject({ room: 'general', author: `alice_${process.pid}`, body: 'ping @echo' });
    await eventually(() => roomMessages('general'), (ms) => ms.some((m) => m.author === 'echo' && m.body === `pong to alice_${process.pid}`), 10_000);
    receiver.answer = () => ({ status: 200 });
  });

  it('a direct message to the bot is delivered; the bot\'s own posts and messages not for it are not', async () => {
    receiver.answer = () => ({ status: 200, type: 'application/json', body: JSON.stringify({ text: 'got your DM' }) });
    const { room } = (await (await call(replicas[0]!.url, { cookie: alice }, 'POST', '/api/directs', { names: ['echo'] })).json()) as { room: { slug: string } };
    await eventually(async () => (await posts(replicas[2]!, alice, room.slug, 'are you there?')).status, (s) => s === 201);
    await posts(replicas[0]!, alice, 'general', 'nothing for bots here, echo');
    expect((await call(replicas[1]!.url, { token: echo.token }, 'POST', '/rooms/general/messages', { body: 'talking to myself @echo' })).status).toBe(201);
    const [dm] = await eventually(() => Promise.resolve(forBody('are you there?')), (l) => l.length === 1, 20_000);
    expect(parsed(dm!).room.kind).toBe('direct');
    await eventually(() => roomMessages(room.slug, alice), (ms) => ms.some((m) => m.author === 'echo' && m.body === 'got your DM'), 10_000);
    // The bot's reply is the bot's own message in a direct room: it does not call the webhook again.
    await sleep(1500);
    expect(forBody('nothing for bots here, echo')).toHaveLength(0);
    expect(forBody('talking to myself @echo')).toHaveLength(0);
    expect(forBody('got your DM')).toHaveLength(0);
    receiver.answer = () => ({ status: 200 });
  });

  it('three failures (5xx) then success give one reply, after growing delays, with the same delivery id', async () => {
    const statuses = [503, 500, 502];
    receiver.answer = (r) => {
      if (parsed(r).message.body !== 'flaky @echo') return { status: 200 };
      const s = statuses.shift();
      return s ? { status: s } : { status: 200, type: 'text/plain', body: 'finally' };
    };
    expect((await posts(replicas[0]!, alice, 'general', 'flaky @echo')).status).toBe(201);
    const delays: number[] = [];
    for (let n = 1; n <= 3; n++) {
      await eventually(() => Promise.resolve(forBody('flaky @echo').length), (l) => l === n, 20_000);
      // The queue waits longer after each failure (graphile-worker: exp(attempts) s); read the wait, then skip it.
      const [job] = await eventually(() => Promise.resolve(replicas[0]!.sql<{ wait: number }[]>`
        SELECT extract(epoch FROM j.run_at - now())::float AS wait FROM graphile_worker._private_jobs j
        JOIN graphile_worker._private_tasks t ON t.id = j.task_id WHERE t.identifier = 'bot-webhook' AND j.attempts = ${n} AND j.locked_at IS NULL`), (rows) => rows.length === 1, 10_000);
      delays.push(job!.wait);
      // X-Chat-Timestamp counts seconds: the last attempt goes over a second after the first, so
      // its signature must differ (with the waits skipped, all four once fell in one second).
      if (n === 3) await sleep(1100);
      await replicas[0]!.sql`UPDATE graphile_worker._private_jobs SET run_at = now() WHERE attempts = ${n} AND locked_at IS NULL`;
    }
    await eventually(() => Promise.resolve(forBody('flaky @echo').length), (l) => l === 4, 20_000);
    expect(delays[1]!).toBeGreaterThan(delays[0]!);
    expect(delays[2]!).toBeGreaterThan(delays[1]!);
    const attempts = forBody('flaky @echo');
    expect(new Set(attempts.map((r) => r.headers['x-chat-delivery'])).size).toBe(1);
    expect(new Set(attempts.map((r) => String(r.headers['x-chat-timestamp']) + String(r.headers['x-chat-signature']))).size).toBeGreaterThan(1);
    await eventually(() => roomMessages('general'), (ms) => ms.some((m) => m.body === 'finally'), 10_000);
    await sleep(1000);
    expect((await roomMessages('general')).filter((m) => m.body === 'finally')).toHaveLength(1);
    receiver.answer = () => ({ status: 200 });
  });

  it('nine mentions posted over three replicas give nine deliveries, none twice', async () => {
    const before = receiver.received.length;
    for (let i = 0; i < 9; i++) expect((await posts(replicas[i % 3]!, alice, 'general', `load ${i} @echo`)).status).toBe(201);
    await eventually(() => Promise.resolve(receiver.received.slice(before).filter((r) => parsed(r).message.body.startsWith('load '))), (l) => l.length >= 9, 20_000);
    await sleep(2000);
    const got = receiver.received.slice(before).filter((r) => parsed(r).message.body.startsWith('load '));
    expect(got).toHaveLength(9);
    expect(new Set(got.map((r) => r.headers['x-chat-delivery'])).size).toBe(9);
    expect(new Set(got.map((r) => parsed(r).message.body)).size).toBe(9);
  });

  it('admins see each bot\'s last deliveries with status and latency', async () => {
    const { deliveries } = (await (await call(replicas[2]!.url, { cookie: admin }, 'GET', '/api/bots')).json()) as { deliveries: { bot: string; status: string; latencyMs: number | null; attempts: number }[] };
    expect(deliveries.length).toBeGreaterThan(0);
    expect(deliveries.every((d) => d.bot === 'echo' && d.status === 'delivered' && typeof d.latencyMs === 'number')).toBe(true);
    const page = await (await fetch(`${replicas[2]!.url}/admin/bots`, { headers: { accept: 'text/html', cookie: admin } })).text();
    expect(page).toContain('Last deliveries');
    expect(page).toMatch(/<td>delivered \(200\)<\/td>\s*<td>4<\/td>/);
  });

  it('an admin changes or removes the webhook URL, by JSON or by the page\'s form; the next mention follows it', async () => {
    receiver.answer = () => ({ status: 200 });
    const patch = (who: { cookie: string }, name: string, body: unknown) => call(replicas[1]!.url, who, 'PATCH', `/api/bots/${name}`, body);
    expect((await patch({ cookie: alice }, 'echo', { webhookUrl: null })).status).toBe(404);
    expect((await patch({ cookie: admin }, 'nobody', { webhookUrl: null })).status).toBe(404);
    expect((await patch({ cookie: admin }, 'echo', {})).status).toBe(400);
    expect((await patch({ cookie: admin }, 'echo', { webhookUrl: 'https://127.0.0.2/hook' })).status).toBe(400);
    const off = await patch({ cookie: admin }, 'echo', { webhookUrl: null });
    expect(off.status).toBe(200);
    expect(await off.json()).toEqual({ bot: { name: 'echo', webhookUrl: null } });
    expect((await posts(replicas[0]!, alice, 'general', 'anyone there @echo')).status).toBe(201);
    await sleep(1500);
    expect(forBody('anyone there @echo')).toHaveLength(0);

    const form = await fetch(`${replicas[2]!.url}/admin/bots/echo/webhook`, {
      method: 'POST', headers: { cookie: admin, origin: replicas[2]!.url, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: new URLSearchParams({ webhookUrl: receiver.url }),
    });
    expect(form.status).toBe(200);
    expect(await form.text()).toContain(`echo now delivers to ${receiver.url}.`);
    expect((await posts(replicas[0]!, alice, 'general', 'back again @echo')).status).toBe(201);
    await eventually(() => Promise.resolve(forBody('back again @echo')), (l) => l.length === 1, 20_000);
    expect(forBody('anyone there @echo')).toHaveLength(0);
  });
});
