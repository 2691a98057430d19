import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';
import { eventually, signIn } from '../support/client.ts';
import { call, firstAdmin, makeBot, type Made } from './helpers.ts';

describe('incoming hooks: POST /hooks/<token>/<slug> posts as the bot', () => {
  let r: Replica;
  let admin: string;
  let bot: Made;
  beforeAll(async () => {
    r = await startReplica(await freshDatabase());
    admin = await firstAdmin(r.url);
    bot = await makeBot(r.url, admin, 'grafana');
  });
  afterAll(() => r?.close());

  const hook = (path: string, type: string | null, body: string) =>
    fetch(`${r.url}${path}`, { method: 'POST', headers: type ? { 'content-type': type } : {}, body });
  const newest = async () => {
    const { messages } = (await (await call(r.url, { cookie: admin }, 'GET', '/api/rooms/general/messages?limit=1')).json()) as { messages: { author: string; body: string }[] };
    return messages.at(-1);
  };

  it('takes Slack-compatible JSON, a form with payload=, plain text and attachment-only alerts, without a cookie or Origin', async () => {
    const cases: [string | null, string, string][] = [
      ['application/json', JSON.stringify({ text: 'CPU high on db-1' }), 'CPU high on db-1'],
      ['application/x-www-form-urlencoded', new URLSearchParams({ payload: JSON.stringify({ text: 'deploy done' }) }).toString(), 'deploy done'],
      ['text/plain; charset=utf-8', 'backup finished', 'backup finished'],
      [null, 'no content type', 'no content type'],
      ['application/json', JSON.stringify({ attachments: [{ title: '[FIRING:1] DiskFull', text: 'disk 95% on db-2' }] }), '[FIRING:1] DiskFull\ndisk 95% on db-2'],
    ];
    for (const [type, body, expected] of cases) {
      const res = await hook(`/hooks/${bot.token}/general`, type, body);
      expect(res.status, String(type)).toBe(200);
      expect(await res.text()).toBe('ok');
      // History shows a message once no older transaction in the cluster is open (sql/013): wait.
      expect(await eventually(newest, (m) => m?.body === expected, 5000)).toMatchObject({ author: 'grafana', body: expected });
    }
  });

  it('a wrong token and a room the bot may not post in are the same 404; bad bodies are 4xx', async () => {
    expect((await hook(`/hooks/bot_${'A'.repeat(43)}/general`, 'text/plain', 'x')).status).toBe(404);
    expect((await hook(`/hooks/nonsense/general`, 'text/plain', 'x')).status).toBe(404);
    expect((await hook(`/hooks/${bot.token}/nowhere`, 'text/plain', 'x')).status).toBe(404);
    const alice = await signIn(r.url, `alice_${process.pid}`);
    expect((await call(r.url, { cookie: alice }, 'POST', '/api/rooms', { title: 'Private', kind: 'closed' })).status).toBe(201);
    await eventually(() => Promise.resolve(r.chat.rooms.get('private')), (room) => room !== undefined);
    expect((await hook(`/hooks/${bot.token}/private`, 'text/plain', 'x')).status).toBe(404);
    expect((await hook(`/hooks/${bot.token}/general`, 'application/json', '{"text":')).status).toBe(400);
    expect((await hook(`/hooks/${bot.token}/general`, 'application/json', '{"username":"x"}')).status).toBe(400);
    expect((await hook(`/hooks/${bot.token}/general`, 'application/json', '["text"]')).status).toBe(400);
    expect((await hook(`/hooks/${bot.token}/general`, 'text/plain', '   ')).status).toBe(400);
    expect((await hook(`/hooks/${bot.token}/general`, 'application/x-www-form-urlencoded', 'payload=%7B')).status).toBe(400);
    expect((await hook(`/hooks/${bot.token}/general`, 'image/png', 'x')).status).toBe(415);
    expect((await hook(`/hooks/${bot.token}/general`, 'text/plain', 'x'.repeat(70_000))).status).toBe(413);
    // A GET on a hook is nothing: like any other unknown path, 401 without a session.
    expect((await fetch(`${r.url}/hooks/${bot.token}/general`)).status).toBe(401);
  });
});
