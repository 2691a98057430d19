import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../../src/web/context.ts';
import { HttpError } from '../../src/web/errors.ts';
import { uploadLine } from '../../src/web/files/upload-line.ts';

/** A route behind the line whose work ends only when the test says so, counting how many run at once. */
function rig() {
  const running = new Map<string, number>();
  const most = new Map<string, number>();
  const finish: Array<() => void> = [];
  const app = new Hono<AppEnv>()
    .use('*', async (c, next) => {
      c.set('user', { id: c.req.header('x-user')!, name: c.req.header('x-user')!, role: 'member' } as never);
      await next();
    })
    .post('/upload', uploadLine({ running: 1, waiting: 2 }), async (c) => {
      const who = c.get('user')!.id;
      running.set(who, (running.get(who) ?? 0) + 1);
      most.set(who, Math.max(most.get(who) ?? 0, running.get(who)!));
      await new Promise<void>((done) => finish.push(done));
      running.set(who, running.get(who)! - 1);
      return c.text('stored', 201);
    });
  app.onError((err, c) => (err instanceof HttpError ? c.text(err.message, err.status, err.headers) : c.text('boom', 500)));
  const send = (who: string): Promise<Response> => Promise.resolve(app.request('/upload', { method: 'POST', headers: { 'x-user': who } }));
  const settle = () => new Promise((r) => setTimeout(r, 20));
  return { running, most, finish, send, settle };
}

describe('the upload line', () => {
  it('runs one upload at a time per person, lets the next ones wait their turn, and answers 429 past the waiting room', async () => {
    const r = rig();
    const answers = [r.send('ann'), r.send('ann'), r.send('ann')];
    await r.settle();
    const refused = await r.send('ann');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.text()).toContain('3 files at once');
    for (let i = 0; i < 3; i++) {
      expect(r.running.get('ann')).toBe(1);
      r.finish.shift()!();
      await r.settle();
    }
    expect((await Promise.all(answers)).map((a) => a.status)).toEqual([201, 201, 201]);
    expect(r.most.get('ann')).toBe(1);
    // The line is empty again: a new upload goes straight in.
    const again = r.send('ann');
    await r.settle();
    expect(r.running.get('ann')).toBe(1);
    r.finish.shift()!();
    expect((await again).status).toBe(201);
  });

  it('never makes one person wait for another', async () => {
    const r = rig();
    const first = r.send('ann');
    const other = r.send('bob');
    await r.settle();
    expect([r.running.get('ann'), r.running.get('bob')]).toEqual([1, 1]);
    for (const f of r.finish.splice(0)) f();
    expect([(await first).status, (await other).status]).toEqual([201, 201]);
  });
});
