// The three-node run's view of its nodes and of the database cluster (Patroni's REST API, asked
// from inside a member's container), and its set-up: the stack up, a person signed in.
import { docker, dockerOn, dockerWithin, until, useEngine } from '../lib/sh.ts';
import { containers, healthy, nodes, tasks } from '../lib/swarm.ts';
import { joinApp, svc, type Ctx } from '../checks/setup.ts';

export const members = ['db1', 'db2', 'db3'];
const prefix = process.env.STACK_NODE_PREFIX ?? 'stacktest-ha-';
/** The container (on this machine's engine) that is the node. */
export const nodeContainer = (node: string) => `${prefix}${node}`;
/** db1 lives on node1 (label chat.member=1), and so on. */
export const nodeOf = (member: string) => member.replace('db', 'node');

export interface Member { name: string; role: string; state: string; lag?: number | string; timeline?: number }

/** Patroni's view of the cluster, from the first member that answers. */
export async function cluster(ctx: Pick<Ctx, 'stack'>): Promise<Member[]> {
  for (const m of members) {
    const [c] = await containers(svc(ctx, m)).catch(() => []);
    if (!c) continue;
    const engine = nodes.find((n) => n.name === c.node)?.engine;
    try {
      const out = await dockerWithin(5000, engine, 'exec', c.id, 'python3', '-c',
        "import urllib.request as u, sys; sys.stdout.write(u.urlopen('http://127.0.0.1:8008/cluster', timeout=3).read().decode())");
      return (JSON.parse(out) as { members: Member[] }).members;
    } catch {
      // this member's API is not answering; ask the next
    }
  }
  throw new Error('no database member answers');
}

export const leaderOf = (ms: Member[]) => ms.find((m) => m.role === 'leader' && m.state === 'running')?.name;
export const streaming = (ms: Member[]) => ms.filter((m) => m.role !== 'leader' && m.state === 'streaming');
export const describe = (ms: Member[]) =>
  ms.map((m) => `${m.name} ${m.role}${m.role === 'leader' ? '' : ` ${m.state}, lag ${m.lag ?? '?'}`}`).join(', ');

/** The node whose etcd member leads (a new etcd leader grants every lease its whole ttl again). */
export async function etcdLeaderNode(ctx: Pick<Ctx, 'stack'>): Promise<string> {
  for (const m of ['etcd1', 'etcd2', 'etcd3']) {
    try {
      const [c] = await containers(svc(ctx, m));
      if (!c) continue;
      const engine = nodes.find((n) => n.name === c.node)?.engine;
      // "http://127.0.0.1:2379, <id>, <version>, <size>, <is leader>, ..."
      const out = await dockerWithin(5000, engine, 'exec', c.id, 'etcdctl', '--endpoints=http://127.0.0.1:2379', 'endpoint', 'status');
      if (out.split(', ')[4] === 'true') return c.node;
    } catch {
      // ask the next member
    }
  }
  return '?';
}

/** SQL on the primary, as the owner (an admin's session). */
export async function primarySql(ctx: Pick<Ctx, 'stack'>, query: string): Promise<string[]> {
  const leader = leaderOf(await cluster(ctx));
  if (!leader) throw new Error('no primary');
  const [c] = await containers(svc(ctx, leader));
  if (!c) throw new Error(`no container of ${leader}`);
  const engine = nodes.find((n) => n.name === c.node)?.engine;
  const out = await dockerOn(engine, 'exec', c.id, 'psql', '-h', '127.0.0.1', '-U', 'chat_owner', '-d', 'chat', '-XAtq', '-v', 'ON_ERROR_STOP=1', '-c', query);
  return out.split('\n').filter(Boolean);
}

/** Talks to the Swarm through a manager other than `avoid` (a node about to die). */
export function manageFrom(avoid: string[] = []): string {
  const n = nodes.find((x) => !avoid.includes(x.name));
  if (!n) throw new Error('no manager left');
  useEngine(n.engine);
  return n.name;
}

export async function nodeStates(): Promise<string> {
  return docker('node', 'ls', '--format', '{{.Hostname}} {{.Status}} {{.Availability}} {{.ManagerStatus}}');
}

export async function setUpHa(stack: string, replicas: number, root: string): Promise<Ctx> {
  const ctx = { stack, replicas } as Ctx;
  manageFrom();
  const t0 = Date.now();
  const at = () => `${Math.round((Date.now() - t0) / 1000)} s`;
  await until('a primary', async () => leaderOf(await cluster(ctx)), 300_000, 1000);
  const phases = [`primary after ${at()}`];
  await until('a primary and two streaming standbys', async () => {
    const ms = await cluster(ctx);
    return leaderOf(ms) && streaming(ms).length === 2;
  }, 300_000, 1000);
  phases.push(`two standbys streaming after ${at()}`);
  await until('the migrate job to complete', async () => (await tasks(svc(ctx, 'migrate'))).some((t) => /^Complete/.test(t.state)), 240_000, 1000);
  phases.push(`migrations after ${at()}`);
  await healthy(svc(ctx, 'app'), replicas, 240_000);
  phases.push(`${replicas} app tasks healthy after ${at()}`);
  console.log(`[checks] ${phases.join(', ')}`);
  return joinApp(ctx, root);
}
