import { connect as netConnect } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEADERS_TIMEOUT_MS, listen } from '../../src/server.ts';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';

/** Milliseconds until the server closes a connection that sends one header line every 500 ms. */
function dripHeaders(port: number): Promise<number> {
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = netConnect(port, '127.0.0.1', () => socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n'));
    const drip = setInterval(() => socket.write('X-Slow: 1\r\n'), 500);
    socket.on('close', () => {
      clearInterval(drip);
      resolve(Date.now() - started);
    });
    socket.on('error', () => {});
  });
}

describe('a client that sends its headers too slowly', () => {
  let r: Replica;
  let short: Server;
  beforeAll(async () => {
    r = await startReplica(await freshDatabase());
    // The same listener with a 3 s allowance, so the cut is seen without waiting out the real 30 s.
    short = await listen(r.chat, 0, '127.0.0.1', { headersTimeoutMs: 3_000 });
  });
  afterAll(async () => {
    short?.closeAllConnections();
    await new Promise((done) => short?.close(done));
    await r?.close();
  });

  it('gets 30 s by default to finish them', () => {
    expect(HEADERS_TIMEOUT_MS).toBe(30_000);
    expect(r.server.headersTimeout).toBe(30_000);
  });

  it('is cut soon after its allowance runs out, though it keeps sending', async () => {
    const closedAfter = await dripHeaders((short.address() as { port: number }).port);
    console.log(`a slow-header client was cut after ${closedAfter} ms (allowance 3,000 ms)`);
    expect(closedAfter).toBeGreaterThan(2_500);
    expect(closedAfter).toBeLessThan(6_000);
  });

  it('leaves a client that sends its headers in time alone', async () => {
    expect((await fetch(`${r.url}/healthz`)).status).toBe(200);
  });
});
