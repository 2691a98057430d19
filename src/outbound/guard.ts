import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { bareHost, hostPort, isIpLiteral, isPublicAddress, systemResolve, type Address, type Resolve } from './address.ts';

export interface OutboundOptions {
  /** host:port pairs (OUTBOUND_ALLOW) that may be loopback or private and plain http. */
  allow: string[];
  timeoutMs?: number;
  /** Name resolution; tests give their own. */
  resolve?: Resolve;
  /** Largest answer body kept, in bytes; the rest is read and dropped. */
  maxAnswerBytes?: number;
}

export interface Answer { status: number; headers: http.IncomingHttpHeaders; body: Buffer }

/** A request the guard would not make (or stopped making); the reason says which rule. */
export class OutboundRefused extends Error {
  override name = 'OutboundRefused';
}

export interface Outbound {
  /** Why an URL may not be reached (scheme, allow-list, the addresses its name has now), or null. */
  refusal(url: string): Promise<string | null>;
  /** POSTs through the guard: no redirect followed (a 3xx is just an answer), a timeout over the whole exchange. */
  post(url: string, init: { headers?: Record<string, string>; body?: Buffer | string }): Promise<Answer>;
}

/**
 * The one client for outbound requests (push services, webhooks): server-side request forgery is
 * the risk. Only https to a public address, checked on the address the socket actually connects
 * to: the lookup the socket uses is ours, so a name that resolves to a public address when
 * checked and to a private one when connecting (DNS rebinding) cannot slip through; the socket's
 * remote address is checked once more on connect. Hosts in `allow` are excepted.
 */
export function createOutbound(o: OutboundOptions): Outbound {
  const allow = new Set(o.allow.map((h) => h.toLowerCase()));
  const resolve = o.resolve ?? systemResolve;
  const timeoutMs = o.timeoutMs ?? 10_000;
  const maxAnswer = o.maxAnswerBytes ?? 64 * 1024;

  const parse = (raw: string): { url: URL; allowed: boolean } => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new OutboundRefused('not an URL');
    }
    const allowed = allow.has(hostPort(url));
    if (url.username || url.password) throw new OutboundRefused('an URL with credentials');
    if (url.protocol !== 'https:' && !(allowed && url.protocol === 'http:')) throw new OutboundRefused('not https');
    return { url, allowed };
  };

  const publicAddresses = async (host: string): Promise<Address[]> => {
    const found = isIpLiteral(host) ? [{ address: host, family: host.includes(':') ? 6 : 4 }] : await resolve(host).catch(() => []);
    if (found.length === 0) throw new OutboundRefused(`${host} does not resolve`);
    const ok = found.filter((a) => isPublicAddress(a.address));
    if (ok.length === 0) throw new OutboundRefused(`${host} is not a public address`);
    return ok;
  };

  // The socket's own lookup: it connects only to addresses that passed the check.
  const lookup: LookupFunction = (hostname, options, callback) => {
    publicAddresses(hostname).then(
      (list) => {
        const wanted = options.family === 4 || options.family === 6 ? list.filter((a) => a.family === options.family) : list;
        if (wanted.length === 0) return callback(new OutboundRefused(`${hostname} has no public address of that family`), '', 0);
        if (options.all) return (callback as unknown as (e: null, l: Address[]) => void)(null, wanted);
        callback(null, wanted[0]!.address, wanted[0]!.family);
      },
      (err: Error) => callback(err as NodeJS.ErrnoException, '', 0),
    );
  };

  return {
    async refusal(raw) {
      try {
        const { url, allowed } = parse(raw);
        if (!allowed) await publicAddresses(bareHost(url));
        return null;
      } catch (err) {
        if (err instanceof OutboundRefused) return err.message;
        throw err;
      }
    },

    async post(raw, init) {
      const { url, allowed } = parse(raw);
      const host = bareHost(url);
      // A literal address never reaches a lookup: check it here.
      if (!allowed && isIpLiteral(host)) await publicAddresses(host);
      const client = url.protocol === 'https:' ? https : http;
      return new Promise<Answer>((resolveAnswer, reject) => {
        const req = client.request(url, {
          method: 'POST',
          headers: init.headers,
          agent: false,
          ...(allowed ? {} : { lookup }),
          signal: AbortSignal.timeout(timeoutMs),
        });
        req.on('socket', (socket) => {
          socket.once('connect', () => {
            const remote = socket.remoteAddress;
            if (!allowed && (!remote || !isPublicAddress(remote))) req.destroy(new OutboundRefused(`connected to ${remote}, not a public address`));
          });
        });
        req.on('error', (err) => reject(err.name === 'AbortError' ? new OutboundRefused(`no answer within ${timeoutMs} ms`) : err));
        req.on('response', (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            if (size < maxAnswer) chunks.push(chunk.subarray(0, maxAnswer - size));
            size += chunk.length;
          });
          res.on('end', () => resolveAnswer({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        });
        req.end(init.body);
      });
    },
  };
}
