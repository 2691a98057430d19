import { createECDH, createPublicKey, randomBytes, verify } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import * as ece from 'http_ece';

/** What the stand-in accepted: decrypted with the subscription's own keys, its VAPID JWT verified. */
export interface Received { device: string; payload: Record<string, unknown>; jwt: Record<string, unknown>; ttl: string | undefined }

export interface Device { name: string; endpoint: string; keys: { p256dh: string; auth: string } }

export interface PushService {
  origin: string;
  hostPort: string;
  received: Received[];
  /** Requests that failed a check (bad JWT, undecryptable body): the test fails on any. */
  rejected: string[];
  /** A browser's subscription on this service: its endpoint and its keys (RFC 8291). */
  device(name: string): Device;
  /** The status this device's pushes get from now on (201 by default; 410 says it is gone). */
  answer(name: string, status: number): void;
  close(): Promise<void>;
}

const b64url = (b: Buffer) => b.toString('base64url');

/**
 * A local push service on 127.0.0.1 that does what a real one checks and what a browser does on
 * receipt: the VAPID JWT (RFC 8292) is verified with the key in the header and must name this
 * origin, and the body is decrypted (aes128gcm, RFC 8291) with the device's private key.
 */
export async function startPushService(): Promise<PushService> {
  const devices = new Map<string, { ecdh: ReturnType<typeof createECDH>; auth: Buffer; status: number }>();
  const received: Received[] = [];
  const rejected: string[] = [];
  let origin = '';
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const name = decodeURIComponent(req.url!.replace(/^\/push\//, ''));
      const dev = devices.get(name);
      try {
        if (!dev) throw new Error(`unknown device ${name}`);
        if (req.method !== 'POST') throw new Error(`method ${req.method}`);
        if (req.headers['content-encoding'] !== 'aes128gcm') throw new Error('not aes128gcm');
        const m = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(req.headers.authorization ?? '');
        if (!m) throw new Error(`no VAPID authorization: ${req.headers.authorization}`);
        const jwt = checkJwt(m[1]!, m[2]!, origin);
        const payload = JSON.parse(ece.decrypt(Buffer.concat(chunks), { version: 'aes128gcm', privateKey: dev.ecdh, authSecret: dev.auth }).toString('utf8')) as Record<string, unknown>;
        if (dev.status < 300) received.push({ device: name, payload, jwt, ttl: req.headers.ttl as string | undefined });
        res.writeHead(dev.status).end();
      } catch (err) {
        rejected.push((err as Error).message);
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    hostPort: `127.0.0.1:${port}`,
    received,
    rejected,
    device(name) {
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const auth = randomBytes(16);
      devices.set(name, { ecdh, auth, status: 201 });
      return { name, endpoint: `${origin}/push/${encodeURIComponent(name)}`, keys: { p256dh: b64url(ecdh.getPublicKey()), auth: b64url(auth) } };
    },
    answer(name, status) {
      devices.get(name)!.status = status;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

// ES256 over "header.claims" with the uncompressed P-256 point k; aud must be the push service's origin.
function checkJwt(token: string, k: string, origin: string): Record<string, unknown> {
  const [h, c, s] = token.split('.');
  const header = JSON.parse(Buffer.from(h!, 'base64url').toString()) as { alg?: string };
  const claims = JSON.parse(Buffer.from(c!, 'base64url').toString()) as { aud?: string; exp?: number; sub?: string };
  if (header.alg !== 'ES256') throw new Error(`JWT alg ${String(header.alg)}`);
  const point = Buffer.from(k, 'base64url');
  if (point.length !== 65 || point[0] !== 4) throw new Error('k is not an uncompressed P-256 point');
  const key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: b64url(point.subarray(1, 33)), y: b64url(point.subarray(33)) }, format: 'jwk' });
  if (!verify('sha256', Buffer.from(`${h}.${c}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(s!, 'base64url'))) throw new Error('JWT signature does not verify');
  if (claims.aud !== origin) throw new Error(`JWT aud ${String(claims.aud)}, expected ${origin}`);
  const now = Date.now() / 1000;
  if (!(typeof claims.exp === 'number' && claims.exp > now && claims.exp <= now + 24 * 3600)) throw new Error(`JWT exp ${String(claims.exp)}`);
  if (!/^(mailto:|https:)/.test(claims.sub ?? '')) throw new Error(`JWT sub ${String(claims.sub)}`);
  return { ...claims, k };
}
