// database primary lost: the node that holds the PostgreSQL primary dies under a steady writer.
// Patroni promotes a synchronous standby; the replicas find it through the router (postgres)
// without a restart; the old primary, its node started again, rejoins as a standby (pg_rewind).
import { figures } from '../lib/load.ts';
import { dockerOn, dockerWithin, until } from '../lib/sh.ts';
import { containers, healthy, nodes } from '../lib/swarm.ts';
import { svc, type Ctx } from '../checks/setup.ts';
import { cluster, describe, etcdLeaderNode, leaderOf, manageFrom, members, nodeContainer, nodeOf, nodeStates, primarySql, streaming } from './cluster.ts';
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
  // The survivors' own Patroni APIs, on live engines: asking through the Swarm would wait on
  // the dead node's engine at every poll.
  const watch = (await Promise.all(members.filter((m) => m !== old).map(async (m) => {
    const [c] = await containers(svc(ctx, m));
    return c && { name: m, id: c.id, engine: nodes.find((n) => n.name === c.node)?.engine };
  }))).filter((x) => !!x);
  const roleOf = async (w: (typeof watch)[number]) => JSON.parse(await dockerWithin(3000, w.engine, 'exec', w.id, 'python3', '-c',
    "import urllib.request as u, sys; sys.stdout.write(u.urlopen('http://127.0.0.1:8008/patroni', timeout=2).read().decode())")) as { role: string; state: string };
  const t = await underLoad(ctx, 'primary-lost', async (load) => {
    await dockerOn(undefined, 'kill', nodeContainer(victim));
    const killedAt = Date.now();
    next = await until('a standby promoted', async () => {
      for (const w of watch) {
        const r = await roleOf(w).catch(() => undefined);
        if (r?.role === 'primary' && r.state === 'running') return w.name;
      }
      return undefined;
    }, 90_000, 250);
    promoted = Date.now() - killedAt;
    // The first post sent after the kill that was accepted: it can only have gone to the new primary.
    const first = await until('a post accepted by the new primary', () => Promise.resolve(load.acceptedAt.find((a) => a.sent > killedAt)), 60_000, 200);
    writable = first.done - killedAt;
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
  const said = `primary ${old} on ${victim} killed (etcd leader on ${etcdLeader}): ${next} promoted (its API says primary) after ${s(promoted)}, the first post sent after the kill accepted after ${s(writable)}, ${restarted} surviving replicas restarted; ${figures(t)}; ${missing} of ${ctx.accepted.size} accepted posts missing from the new primary; ${old} back as a standby ${s(rejoined)} after its node started (${describe(ms)}; ${nodesNow} nodes Ready)`;
  if (promoted > 30_000 || writable > 30_000 || t.lost || t.duplicated || restarted || missing) {
    throw new Error(`${said}${t.failures.length ? `; e.g. ${t.failures.join(' | ')}` : ''}`);
  }
  return said;
}
