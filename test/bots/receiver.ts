import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

export interface Received { headers: IncomingHttpHeaders; body: Buffer; at: number }
export type Answer = { status: number; type?: string; body?: string; location?: string } | 'hang';

/** A webhook receiver on 127.0.0.1: records every request and answers as `answer` says (default 200, no text). */
export async function startReceiver(answer: (r: Received, n: number) => Answer = () => ({ status: 200 })) {
  const received: Received[] = [];
  let connections = 0;
  const hanging = new Set<() => void>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c)).on('end', () => {
      const r = { headers: req.headers, body: Buffer.concat(chunks), at: Date.now() };
      received.push(r);
      const a = receiver.answer(r, received.length);
      if (a === 'hang') {
        hanging.add(() => res.destroy());
        return;
      }
      res.writeHead(a.status, { ...(a.type ? { 'content-type': a.type } : {}), ...(a.location ? { location: a.location } : {}) }).end(a.body ?? '');
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const receiver = {
    port,
    url: `http://127.0.0.1:${port}/hook`,
    received,
    answer,
    get connections() { return connections; },
    async close() {
      for (const end of hanging) end();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
  return receiver;
}
