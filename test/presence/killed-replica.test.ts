import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnReplica, type ReplicaProcess } from '../../src/dev/cluster.ts';
import { connect } from '../../src/db/connect.ts';
import { signIn } from '../support/client.ts';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';
import { presenceOf, watchPresence } from './watch.ts';

// Stated in Documentation/presence.md: a dead replica's people stay until its lease (2.5
// heartbeats) runs out, and leave every other replica's list within one more heartbeat.
const INTERVAL = 500;
const BOUND = 2.5 * INTERVAL + INTERVAL + 1000;

describe('a replica that dies without cleaning up', () => {
  let db: string;
  let killed: ReplicaProcess | undefined;
  let b: Replica;
  beforeAll(async () => {
    db = await freshDatabase();
    b = await startReplica(db, { presenceIntervalMs: INTERVAL });
  });
  afterAll(async () => {
    killed?.kill('SIGKILL');
    await b?.close();
  });

  it('leaves its people here only until its lease runs out, on every other replica', async () => {
    killed = await spawnReplica(`doomed-${process.pid}`, {
      DATABASE_URL: db, LOG_LEVEL: 'warn', REGISTRATION: 'open', REGISTRATION_CHALLENGE: 'off', PRESENCE_INTERVAL_MS: String(INTERVAL),
    });
    await killed.ready();
    const name = `dana${process.pid}`;
    const dana = await signIn(killed.url, name);
    const bob = await signIn(b.url, `bob${process.pid}`);
    const watch = await watchPresence(b.url, '/rooms/general/events', bob);
    await watchPresence(killed.url, '/events?room=general', dana);
    await watch.until('general', (p) => p.includes(name), 2 * INTERVAL + 1000);

    const killedAt = Date.now();
    killed.kill('SIGKILL');
    await killed.exited;
    const goneAt = await watch.until('general', (p) => !p.includes(name), BOUND);
    console.log(`killed replica: its people gone after ${goneAt - killedAt} ms (lease ${2.5 * INTERVAL} ms, heartbeat ${INTERVAL} ms)`);
    expect(await presenceOf(b.url, 'general', bob)).not.toContain(name);
    // Gone by the lease, not by a delete: the dead replica's rows are still in the table.
    const sql = connect(db, { max: 1 });
    const [row] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM presence WHERE replica = ${`doomed-${process.pid}`}`;
    await sql.end();
    expect(row!.n).toBe(1);
    watch.close();
  });
});
