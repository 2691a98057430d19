import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sign, verify } from '../../src/bots/signature.ts';

const SECRET = 'whsec_test-secret-of-the-documented-receiver';

describe('the signature over "<timestamp>.<body>", checked by the receiver in Documentation/examples', () => {
  let receiver: ChildProcess;
  let url: string;
  beforeAll(async () => {
    receiver = spawn(process.execPath, ['Documentation/examples/bot-receiver.mjs'], { env: { ...process.env, WEBHOOK_SECRET: SECRET, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = (await once(receiver.stdout!, 'data')) as [Buffer];
    url = `http://127.0.0.1:${line.toString().trim()}/`;
  });
  afterAll(() => {
    receiver?.kill();
  });

  const body = JSON.stringify({ message: { id: '7', body: 'hello @echo' }, room: { slug: 'general', title: 'General', kind: 'open' }, author: { name: 'alice' } });
  const deliver = (raw: string | Buffer, headers: Record<string, string>) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof raw === 'string' ? raw : new Uint8Array(raw) });
  const signed = (raw: string | Buffer, delivery: string, ts = String(Math.floor(Date.now() / 1000))) => ({
    'x-chat-delivery': delivery, 'x-chat-timestamp': ts, 'x-chat-signature': sign(SECRET, ts, raw),
  });

  it('a signed delivery verifies and is answered with the reply text', async () => {
    const res = await deliver(body, signed(body, 'd-1'));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('alice said: hello @echo');
    const ts = String(Math.floor(Date.now() / 1000));
    expect(verify(SECRET, ts, body, sign(SECRET, ts, body))).toBe(true);
  });

  it('one changed byte of the body, of the timestamp or of the signature, or another secret, fails', async () => {
    const headers = signed(body, 'd-2');
    const changed = Buffer.from(body);
    changed[changed.length - 3]! ^= 1;
    expect((await deliver(changed, headers)).status).toBe(401);
    expect((await deliver(body, { ...headers, 'x-chat-timestamp': String(Number(headers['x-chat-timestamp']) - 1) })).status).toBe(401);
    const sig = headers['x-chat-signature'];
    expect((await deliver(body, { ...headers, 'x-chat-signature': sig.slice(0, -1) + (sig.endsWith('0') ? '1' : '0') })).status).toBe(401);
    expect((await deliver(body, { ...headers, 'x-chat-signature': sign('whsec_other', headers['x-chat-timestamp'], body) })).status).toBe(401);
    expect(verify(SECRET, headers['x-chat-timestamp'], changed, sig)).toBe(false);
  });

  it('a replay is refused: an old timestamp fails, and a repeated delivery id posts nothing', async () => {
    const old = String(Math.floor(Date.now() / 1000) - 600);
    expect((await deliver(body, signed(body, 'd-3', old))).status).toBe(401);
    expect(verify(SECRET, old, body, sign(SECRET, old, body))).toBe(false);
    const headers = signed(body, 'd-4');
    expect(await (await deliver(body, headers)).text()).toBe('alice said: hello @echo');
    const again = await deliver(body, headers);
    expect(again.status).toBe(200);
    expect(await again.text()).toBe('');
  });
});
