import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Sql } from '../../src/db/connect.ts';
import { compare, START, type Position } from '../../src/sync/cursor.ts';
import { catchUp, Slots } from '../../src/sync/catch-up.ts';
import { ByteBudget } from '../../src/sync/budget.ts';
import { logAfter, type LogEvent } from '../../src/sync/log.ts';
import { eventually } from '../support/client.ts';
import { freshDatabase } from '../support/db.ts';

const COUNT = 130;
let sql: Sql;
let room: number;
let reader: { id: string; name: string };
let log: LogEvent[];
let server: Server;
const responses: ServerResponse[] = [];

/** A real response to write to, and the request reading it. */
async function response(): Promise<{ out: ServerResponse; received: Promise<string> }> {
  const next = new Promise<ServerResponse>((resolve) => server.once('request', (_req, res: ServerResponse) => resolve(res)));
  const res = fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  const out = await next;
  out.writeHead(200, { 'content-type': 'text/event-stream' });
  responses.push(out);
  return { out, received: res.then((r) => r.text()).catch(() => '') };
}

/** Catches up from `from` to `floor`, writing each page's ids, and returns what it sent. */
async function run(from: Position, floor: () => Position, opts: { max?: number; slots?: Slots; destroy?: boolean } = {}) {
  const { out } = await response();
  if (opts.destroy) out.destroy();
  const sent: LogEvent[] = [];
  const pages: number[] = [];
  const result = await catchUp(sql, { catchUpMax: opts.max ?? 1000 }, opts.slots ?? new Slots(2), new ByteBudget(2 * 1024 * 1024), out, { roomIds: [room], reader }, from, floor, (events) => {
    sent.push(...events);
    pages.push(events.length);
    out.write(events.map((e) => `${e.messageId}\n`).join(''));
    return events.at(-1)?.position ?? from;
  });
  out.end();
  return { result, sent, pages };
}

beforeAll(async () => {
  sql = connect(await freshDatabase(), { max: 2 });
  room = (await sql<{ id: number }[]>`SELECT id FROM rooms WHERE slug = 'general'`)[0]!.id;
  const [user] = await sql<{ id: string }[]>`INSERT INTO users (name, password_hash) VALUES ('reader', 'x') RETURNING id`;
  reader = { id: String(user!.id), name: 'reader' };
  await sql`INSERT INTO messages (room_id, author_id, body) SELECT ${room}, ${reader.id}, 'message ' || n FROM generate_series(1, ${COUNT}) n`;
  // The log shows a transaction once every older one in the cluster has ended.
  log = await eventually(() => logAfter(sql, [room], reader, START, 1000), (l) => l.filter((e) => e.kind === 'message').length === COUNT, 10_000);
  server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
});
afterAll(async () => {
  for (const r of responses) r.destroy();
  await new Promise((r) => server?.close(r));
  await sql?.end();
});

describe('catching a stream up from the database', () => {
  it('sends the log after the position, in stream order, a page of 50 at a time, until it reaches the floor', async () => {
    const from = log[9]!.position;
    const floor = log.at(-1)!.position;
    const { result, sent, pages } = await run(from, () => floor);
    expect(result).toBe('done');
    expect(sent.map((e) => e.messageId)).toEqual(log.slice(10).map((e) => e.messageId));
    expect(pages.every((n) => n <= 50)).toBe(true);
    for (let i = 1; i < sent.length; i++) expect(compare(sent[i - 1]!.position, sent[i]!.position)).toBeLessThan(0);
  });

  it('stops at the first page that reaches the floor, leaving the rest to the feed', async () => {
    const { result, sent } = await run(START, () => log[20]!.position);
    expect(result).toBe('done');
    expect(sent).toHaveLength(50);
  });

  it('keeps going while the floor rises under it, as a feed evicts during the catch-up', async () => {
    let floor = log[40]!.position;
    const { result, sent } = await run(START, () => {
      const now = floor;
      floor = log.at(-1)!.position;
      return now;
    });
    expect(result).toBe('done');
    expect(sent).toHaveLength(log.length);
  });

  it('answers too-far, sending nothing, when more messages are ahead than one stream may catch up on', async () => {
    const { result, sent } = await run(START, () => log.at(-1)!.position, { max: COUNT - 1 });
    expect(result).toBe('too-far');
    expect(sent).toEqual([]);
    expect((await run(START, () => log.at(-1)!.position, { max: COUNT })).result).toBe('done');
  });

  it('stops when the reader has gone', async () => {
    const { result, sent } = await run(START, () => log.at(-1)!.position, { destroy: true });
    expect(result).toBe('gone');
    expect(sent).toEqual([]);
  });

  it('lets only as many streams read history at once as there are slots; the others wait their turn', async () => {
    const slots = new Slots(2);
    const first = await slots.take();
    const second = await slots.take();
    let third = false;
    const waiting = slots.take().then((release) => ((third = true), release));
    await new Promise((r) => setTimeout(r, 20));
    expect(third).toBe(false);
    first();
    (await waiting)();
    expect(third).toBe(true);
    second();
    const { result } = await run(START, () => log[5]!.position, { slots });
    expect(result).toBe('done');
  });
});
