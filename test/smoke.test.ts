import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from './support/db.ts';
import { startReplica, type Replica } from './support/replica.ts';
import { openStream, postJson, signIn } from './support/client.ts';

describe('a single replica', () => {
  let r: Replica;
  beforeAll(async () => {
    r = await startReplica(await freshDatabase());
  });
  afterAll(() => r.close());

  it('delivers a posted message to an open stream', async () => {
    const cookie = await signIn(r.url);
    const stream = await openStream(r.url, 'general', { cookie });
    const res = await postJson(r.url, cookie, 'general', 'hello');
    expect(res.status).toBe(201);
    const [event] = await stream.waitFor(1);
    expect(event!.message.body).toBe('hello');
    stream.close();
  });
});
