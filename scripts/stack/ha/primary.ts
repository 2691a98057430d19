// database primary lost: the node that holds the PostgreSQL primary dies under a steady writer.
// Patroni promotes a synchronous standby; the replicas find it through the router (postgres)
// without a restart; the old primary, its node started again, rejoins as a standby (pg_rewind).
import { figures } from '../lib/load.ts';
import { dockerOn, until } from '../lib/sh.ts';
import { containers, healthy } from '../lib/swarm.ts';
import { svc, type Ctx } from '../checks/setup.ts';
import { cluster, describe, etcdLeaderNode, leaderOf, manageFrom, nodeContainer, nodeOf, nodeStates, primarySql, streaming } from './cluster.ts';
import { underLoad, whole } from './nodes.ts';

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export async function primaryLost(ctx: Ctx): Promise<string> {
  await whole(ctx);
  const old = leaderOf(await cluster(ctx));
  if (!old) throw new Error('no primary to lose');
  const victim = nodeOf(old);
  manageFrom([victim]);
  const app = svc(ctx, 'app');
  const survivors = (await healthy(app, ctx.replicas)).filter((c) => c.node !== victim).map((c) => c.id);
  const etcdLeader = await etcdLeaderNode(ctx);
  let promoted = 0;
  let writable = 0;
  let next = '';
  const t = await underLoad(ctx, 'primary-lost', async (load) => {
    await dockerOn(undefined, 'kill', nodeContainer(victim));
    const killedAt = Date.now();
    next = await until('a standby promoted', async () => {
      const l = leaderOf(await cluster(ctx));
      return l && l !== old && l;
    }, 90_000, 500);
    promoted = Date.now() - killedAt;
    const before = load.accepted.size;
    await until('a post accepted by the new primary', () => Promise.resolve(load.accepted.size > before), 60_000, 200);
    writable = Date.now() - killedAt;
    await healthy(app, ctx.replicas, 180_000);
    await until(`${ctx.replicas} ready replicas`, async () => (await ctx.bal.refresh()).length === ctx.replicas, 120_000);
  }, 5000);
  const still = new Set((await containers(app)).map((c) => c.id));
  const restarted = survivors.filter((id) => !still.has(id)).length;
  const stored = new Set(await primarySql(ctx, 'SELECT id FROM messages'));
  const missing = [...ctx.accepted].filter((id) => !stored.has(id)).length;

  const started = Date.now();
  await dockerOn(undefined, 'start', nodeContainer(victim));
  const ms = await until(`${old} back as a streaming standby`, async () => {
    const m = await cluster(ctx);
    return streaming(m).some((x) => x.name === old) && streaming(m).length === 2 && m;
  }, 240_000, 2000);
  const rejoined = Date.now() - started;
  const nodesNow = (await nodeStates()).split('\n').filter((l) => / Ready Active /.test(l)).length;
  const said = `primary ${old} on ${victim} killed (etcd leader on ${etcdLeader}): ${next} promoted after ${s(promoted)}, posts accepted again after ${s(writable)}, ${restarted} surviving replicas restarted; ${figures(t)}; ${missing} of ${ctx.accepted.size} accepted posts missing from the new primary; ${old} back as a standby ${s(rejoined)} after its node started (${describe(ms)}; ${nodesNow} nodes Ready)`;
  if (promoted > 30_000 || t.lost || t.duplicated || restarted || missing) {
    throw new Error(`${said}${t.failures.length ? `; e.g. ${t.failures.join(' | ')}` : ''}`);
  }
  return said;
}
