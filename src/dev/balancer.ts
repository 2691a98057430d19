import { createServer, request, type Server } from 'node:http';

export interface Backend { name: string; url: string; alive: () => boolean }

/**
 * A round-robin entry for the local swarm, standing in for Traefik: each request goes to the next
 * live replica; a replica that refuses the connection is skipped and the request tried on the next.
 */
export function createBalancer(backends: () => Backend[]): Server {
  let next = 0;
  return createServer((req, res) => {
    const body: Buffer[] = [];
    req.on('data', (c: Buffer) => body.push(c));
    req.on('end', () => {
      const tryBackend = (attempt: number) => {
        const live = backends().filter((b) => b.alive());
        if (live.length === 0 || attempt >= live.length) {
          res.writeHead(502, { 'content-type': 'application/json' }).end('{"error":"No replica is up."}');
          return;
        }
        const target = new URL(live[next++ % live.length]!.url);
        const upstream = request(
          { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
          (up) => {
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
            // A replica that dies mid-answer (kill -9) closes its socket without ending the answer;
            // pipe() would leave the browser's side open and silent. Cut it, as a dead host would.
            up.on('close', () => {
              if (!up.complete) res.destroy();
            });
          },
        );
        // Only a refused connection is safe to retry: anything later may have been a post that was stored.
        upstream.on('error', (err: NodeJS.ErrnoException) =>
          err.code === 'ECONNREFUSED' && !res.headersSent ? tryBackend(attempt + 1) : res.destroy(),
        );
        res.on('close', () => upstream.destroy());
        upstream.end(Buffer.concat(body));
      };
      tryBackend(0);
    });
  });
}
