import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPublicAddress } from '../../src/outbound/address.ts';
import { createOutbound } from '../../src/outbound/guard.ts';

// Every request here goes to 127.0.0.1: the refusals happen before any connection is made.
let server: Server;
let port = 0;
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.url!);
    if (req.url === '/moved') return void res.writeHead(302, { location: '/secret' }).end();
    if (req.url === '/slow') return; // never answers
    res.writeHead(201, { 'content-type': 'text/plain' }).end('made');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('the outbound guard', () => {
  it('counts only plain unicast addresses as public', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '224.0.0.1', 'nonsense']) {
      expect(isPublicAddress(a), a).toBe(false);
    }
    for (const a of ['8.8.8.8', '2606:4700:4700::1111', '::ffff:1.1.1.1']) expect(isPublicAddress(a), a).toBe(true);
  });

  it('refuses plain http, a loopback address and a name that resolves to one, without connecting', async () => {
    const before = seen.length;
    const out = createOutbound({ allow: [], resolve: () => Promise.resolve([{ address: '127.0.0.1', family: 4 }]) });
    expect(await out.refusal(`http://127.0.0.1:${port}/`)).toBe('not https');
    expect(await out.refusal(`https://127.0.0.1:${port}/`)).toMatch(/not a public address/);
    expect(await out.refusal(`https://push.example:${port}/`)).toMatch(/not a public address/);
    await expect(out.post(`https://127.0.0.1:${port}/x`, { body: 'x' })).rejects.toThrow(/not a public address/);
    await expect(out.post(`http://127.0.0.1:${port}/x`, { body: 'x' })).rejects.toThrow(/not https/);
    expect(seen.length).toBe(before);
  });

  it('checks the address the socket connects to, not the one seen when the URL was accepted (DNS rebinding)', async () => {
    // The name is public when the subscription is checked, loopback when the push is sent.
    const answers = [[{ address: '93.184.216.34', family: 4 }], [{ address: '127.0.0.1', family: 4 }]];
    const out = createOutbound({ allow: [], resolve: () => Promise.resolve(answers.shift() ?? []) });
    expect(await out.refusal(`https://rebind.example:${port}/`)).toBeNull();
    const before = seen.length;
    await expect(out.post(`https://rebind.example:${port}/x`, { body: 'x' })).rejects.toThrow(/not a public address/);
    expect(seen.length).toBe(before);
  });

  it('reaches a host in OUTBOUND_ALLOW over plain http, follows no redirect and gives up after its timeout', async () => {
    const out = createOutbound({ allow: [`127.0.0.1:${port}`], timeoutMs: 300 });
    expect(await out.refusal(`http://127.0.0.1:${port}/`)).toBeNull();
    const made = await out.post(`http://127.0.0.1:${port}/hello`, { body: 'x' });
    expect([made.status, made.body.toString()]).toEqual([201, 'made']);
    const moved = await out.post(`http://127.0.0.1:${port}/moved`, { body: 'x' });
    expect(moved.status).toBe(302);
    expect(seen).not.toContain('/secret');
    const started = Date.now();
    await expect(out.post(`http://127.0.0.1:${port}/slow`, { body: 'x' })).rejects.toThrow(/no answer within 300 ms/);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
