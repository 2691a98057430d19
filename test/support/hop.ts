import { createServer, connect, type Server, type Socket } from 'node:net';

export interface Hop {
  url: string;
  /** Every event stream passing now goes silent both ways, without closing: a host that vanished. */
  freeze(): void;
  /** Every event stream passing now is cut, as by a replica that died. */
  cut(): void;
  close(): void;
}

/**
 * A TCP hop in front of a replica that can silence or cut the connections whose latest request is
 * an event stream. New connections pass as before.
 */
export function silenceableHop(target: URL): Promise<Hop> {
  const pairs = new Set<{ client: Socket; upstream: Socket; streaming: boolean }>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    const pair = { client, upstream, streaming: false };
    pairs.add(pair);
    client.on('data', (chunk: Buffer) => {
      const line = /^[A-Z]+ (\S+) HTTP\/1\.1/m.exec(chunk.toString('latin1'));
      if (line) pair.streaming = line[1]!.split('?')[0]!.endsWith('/events');
    });
    client.pipe(upstream).pipe(client);
    const end = () => { client.destroy(); upstream.destroy(); pairs.delete(pair); };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({
        url: `http://127.0.0.1:${port}`,
        freeze() {
          for (const p of pairs) {
            if (!p.streaming) continue;
            p.client.unpipe(p.upstream);
            p.upstream.unpipe(p.client);
            p.client.pause();
            p.upstream.pause();
          }
        },
        cut() {
          for (const p of pairs) if (p.streaming) p.client.destroy();
        },
        close() {
          for (const p of pairs) {
            p.client.destroy();
            p.upstream.destroy();
          }
          server.close();
        },
      });
    }),
  );
}
