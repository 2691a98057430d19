// Shared state of one stack-test run: the stack's name, the way in, a signed-in person.
import { readdirSync } from 'node:fs';
import { Balancer, signIn } from '../lib/client.ts';
import { healthy, tasks } from '../lib/swarm.ts';
import { until } from '../lib/sh.ts';

export interface Ctx { stack: string; replicas: number; bal: Balancer; cookie: string; accepted: Set<string>; sqlFiles: string[] }

export const svc = (ctx: Pick<Ctx, 'stack'>, name: string) => `${ctx.stack}_${name}`;

export async function setUp(stack: string, replicas: number, root: string): Promise<Ctx> {
  const ctx = { stack, replicas } as Ctx;
  await until('the migrate job to complete', async () => (await tasks(svc(ctx, 'migrate'))).some((t) => /^Complete/.test(t.state)), 240_000, 2000);
  await healthy(svc(ctx, 'postgres'), 1, 120_000);
  await healthy(svc(ctx, 'app'), replicas, 240_000);
  return joinApp(ctx, root);
}

/** Once the app's tasks are healthy (on one node or three): the way in, and a signed-in person. */
export async function joinApp(ctx: Ctx, root: string): Promise<Ctx> {
  ctx.bal = new Balancer(svc(ctx, 'app')).start();
  await until('every replica to answer /readyz', async () => (await ctx.bal.refresh()).length === ctx.replicas, 60_000);
  ctx.cookie = await signIn(ctx.bal, 'stacktester', 'stack-test-password-1');
  ctx.accepted = new Set();
  ctx.sqlFiles = readdirSync(`${root}/sql`).filter((f) => /^\d+_.+\.sql$/.test(f)).sort();
  return ctx;
}
