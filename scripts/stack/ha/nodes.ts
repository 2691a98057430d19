// The three-node checks of whole nodes: spread, cut off, killed, drained; always with a steady
// writer and open streams (scripts/stack/lib/load.ts counts what was lost or duplicated).
import { post } from '../lib/client.ts';
import { Load, figures, type Tally } from '../lib/load.ts';
import { docker, dockerOn, sleep, until } from '../lib/sh.ts';
import { containers, healthy, nodes } from '../lib/swarm.ts';
import { svc, type Ctx } from '../checks/setup.ts';
import { cluster, describe, leaderOf, manageFrom, nodeContainer, nodeOf, nodeStates, primarySql, streaming } from './cluster.ts';

/** Streams open, a writer running, then `change`; the tally once the writer has run `after` ms more. */
export async function underLoad(ctx: Ctx, tag: string, change: (load: Load) => Promise<void>, after = 3000, finishMs = 60_000): Promise<Tally> {
  const load = new Load(ctx.bal, ctx.cookie, tag);
  await load.openStreams(2 * ctx.replicas);
  load.startWriting();
  await sleep(2000);
  try {
    await change(load);
    await sleep(after);
  } finally {
    await load.stopWriting();
  }
  const t = await load.finish(finishMs);
  for (const id of load.accepted) ctx.accepted.add(id);
  return t;
}

const s = (ms: number) => `${Math.round(ms / 1000)} s`;
const allReady = (ctx: Ctx) => until(`${ctx.replicas} ready replicas`, async () => (await ctx.bal.refresh()).length === ctx.replicas, 120_000);
const perNode = async (ctx: Ctx) => {
  const app = await containers(svc(ctx, 'app'));
  return nodes.map((n) => `${n.name} ${app.filter((c) => c.node === n.name).length}`).join(', ');
};

/** A node with app tasks that does not hold the primary: losing it costs no failover. */
async function victimOf(ctx: Ctx): Promise<string> {
  const leader = leaderOf(await cluster(ctx));
  const app = await containers(svc(ctx, 'app'));
  const candidates = nodes.map((n) => n.name).filter((n) => n !== nodeOf(leader ?? '') && app.some((c) => c.node === n));
  const victim = candidates.at(-1);
  if (!victim) throw new Error(`no node with app tasks but without the primary (${leader})`);
  manageFrom([victim]);
  return victim;
}

/** The Swarm whole again: every node Ready and active, both standbys streaming, every replica ready. */
export async function whole(ctx: Ctx): Promise<void> {
  await until('three nodes Ready', async () => (await nodeStates()).split('\n').filter((l) => / Ready Active /.test(l)).length === 3, 180_000, 2000);
  // Both standbys in the synchronous set again: one that is streaming but not yet counted by
  // the primary cannot stand in for the other if that one stops next.
  await until('two streaming standbys, both synchronous', async () => {
    const ss = streaming(await cluster(ctx));
    return ss.length === 2 && ss.every((m) => /^(sync|quorum)_standby$/.test(m.role));
  }, 180_000, 2000);
  await healthy(svc(ctx, 'app'), ctx.replicas, 180_000);
  await allReady(ctx);
}

export async function threeNodes(ctx: Ctx): Promise<string> {
  const managers = (await nodeStates()).split('\n').filter((l) => / Ready Active (Leader|Reachable)/.test(l)).length;
  const spread = await perNode(ctx);
  const r = await post(ctx.bal, ctx.cookie, 'general', 'three nodes');
  if (typeof r === 'string') throw new Error(`a post failed: ${r}`);
  ctx.accepted.add(r.id);
  const ms = await until('both standbys to replay the post', async () => {
    const m = await cluster(ctx);
    return streaming(m).length === 2 && streaming(m).every((x) => x.lag === 0) && m;
  }, 30_000, 500);
  const sync = await primarySql(ctx, "SELECT application_name || ' ' || sync_state FROM pg_stat_replication ORDER BY 1");
  const said = `${managers} managers Ready; app tasks per node: ${spread}; ${describe(ms)}; replication: ${sync.join(', ')}`;
  if (managers !== 3 || / 0(,|$)/.test(spread) || !sync.some((l) => / (quorum|sync)$/.test(l))) throw new Error(said);
  return said;
}

export async function cutOff(ctx: Ctx): Promise<string> {
  const victim = await victimOf(ctx);
  const address = nodes.find((n) => n.name === victim)!.address;
  const others = nodes.filter((n) => n.name !== victim).map((n) => n.address);
  const iptables = (op: string) => Promise.all(others.map(async (a) => {
    await dockerOn(undefined, 'exec', nodeContainer(victim), 'iptables', op, 'INPUT', '-s', a, '-j', 'DROP');
    await dockerOn(undefined, 'exec', nodeContainer(victim), 'iptables', op, 'OUTPUT', '-d', a, '-j', 'DROP');
  }));
  let readyOnIt = 0;
  let downAfter = -1;
  let wholeAfter = 0;
  const t = await underLoad(ctx, 'cut-off', async () => {
    await iptables('-I');
    const cut = Date.now();
    while (Date.now() - cut < 30_000) {
      const ready = await ctx.bal.refresh();
      if (ready.some((x) => x.host === address)) readyOnIt = Date.now() - cut;
      if (downAfter < 0 && (await nodeStates()).includes(`${victim} Down`)) downAfter = Date.now() - cut;
      await sleep(1000);
    }
    await iptables('-D');
    const healed = Date.now();
    await whole(ctx);
    wholeAfter = Date.now() - healed;
  });
  const said = `${victim} cut off 30 s: its replicas last ready to clients ${s(readyOnIt)} into it, the Swarm saw it Down after ${downAfter < 0 ? 'never' : s(downAfter)}; whole again ${s(wholeAfter)} after healing (app tasks per node: ${await perNode(ctx)}); ${figures(t)}`;
  if (t.lost || t.duplicated) throw new Error(`${said}${t.failures.length ? `; e.g. ${t.failures.join(' | ')}` : ''}`);
  return said;
}

export async function killed(ctx: Ctx): Promise<string> {
  const victim = await victimOf(ctx);
  const app = svc(ctx, 'app');
  const survivors = (await containers(app)).filter((c) => c.node !== victim).map((c) => c.id);
  let rescheduled = 0;
  const t = await underLoad(ctx, 'node-kill', async () => {
    await dockerOn(undefined, 'kill', nodeContainer(victim));
    const killedAt = Date.now();
    await healthy(app, ctx.replicas, 180_000);
    await allReady(ctx);
    rescheduled = Date.now() - killedAt;
  });
  const still = new Set((await containers(app)).map((c) => c.id));
  const restarted = survivors.filter((id) => !still.has(id)).length;
  const started = Date.now();
  await dockerOn(undefined, 'start', nodeContainer(victim));
  await whole(ctx);
  const back = Date.now() - started;
  const said = `${victim}'s engine killed: ${ctx.replicas} replicas healthy and ready again after ${s(rescheduled)} (per node: ${await perNode(ctx)}), ${restarted} surviving replicas restarted; ${figures(t)}; the node started again and whole after ${s(back)}`;
  if (t.lost || t.duplicated || restarted) throw new Error(`${said}${t.failures.length ? `; e.g. ${t.failures.join(' | ')}` : ''}`);
  return said;
}

/** How the node's last router task ended: its exit code (137: killed mid-query) and, from its log, how many connections its hard stop closed. */
async function routerStop(ctx: Ctx, node: string): Promise<{ exit: string; cut: number }> {
  const engine = nodes.find((n) => n.name === node)!.engine;
  const [id = ''] = (await dockerOn(engine, 'ps', '-aq', '--filter', `label=com.docker.swarm.service.name=${svc(ctx, 'postgres')}`)).split('\n');
  const exit = await dockerOn(engine, 'inspect', '-f', '{{.State.ExitCode}}', id);
  // "Proxy primary hard-stopped (N remaining conns will be closed)."
  const cut = Number(/hard-stopped \((\d+) remaining/.exec(await dockerOn(engine, 'logs', id))?.[1] ?? 0);
  return { exit, cut };
}

export async function drained(ctx: Ctx): Promise<string> {
  const victim = await victimOf(ctx);
  const app = svc(ctx, 'app');
  const engine = nodes.find((n) => n.name === victim)!.engine;
  let moved = 0;
  let empty = 0;
  const t = await underLoad(ctx, 'drain', async () => {
    await docker('node', 'update', '--availability', 'drain', victim);
    const drainedAt = Date.now();
    await until(`no app task left on ${victim}`, async () => !(await containers(app)).some((c) => c.node === victim), 120_000);
    await healthy(app, ctx.replicas, 120_000);
    await allReady(ctx);
    moved = Date.now() - drainedAt;
    await until(`nothing of the stack left running on ${victim}`, async () =>
      (await dockerOn(engine, 'ps', '-q', '--filter', `label=com.docker.stack.namespace=${ctx.stack}`)) === '', 150_000, 2000);
    empty = Date.now() - drainedAt;
  });
  const router = await routerStop(ctx, victim);
  const ms = await cluster(ctx);
  await docker('node', 'update', '--availability', 'active', victim);
  await whole(ctx);
  const stored = new Set(await primarySql(ctx, 'SELECT id FROM messages'));
  const missing = [...ctx.accepted].filter((id) => !stored.has(id)).length;
  const said = `${victim} drained: its app tasks moved in ${s(moved)}, the node empty after ${s(empty)} (its router exited ${router.exit} after serving its connections out, ${router.cut} left to its hard stop); database while drained: ${describe(ms)}; ${figures(t)}; ${missing} accepted posts missing from the database`;
  if (t.failed || t.lost || t.duplicated || missing || router.exit !== '0') throw new Error(`${said}${t.failures.length ? `; e.g. ${t.failures.join(' | ')}` : ''}`);
  return said;
}
