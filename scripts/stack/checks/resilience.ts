// The stack under change and failure, always with a steady writer and open streams.
import { Load, figures, type Tally } from '../lib/load.ts';
import { docker, sleep, until } from '../lib/sh.ts';
import { containers, healthy, psql, updateSettled } from '../lib/swarm.ts';
import { svc, type Ctx } from './setup.ts';

/** Streams open, a writer running, then `change`; the tally once the writer has run `after` ms more. */
async function underLoad(ctx: Ctx, tag: string, change: () => Promise<void>, after = 3000): Promise<{ t: Tally; load: Load }> {
  const load = new Load(ctx.bal, ctx.cookie, tag);
  await load.openStreams(2 * ctx.replicas);
  load.startWriting();
  await sleep(2000);
  try {
    await change();
    await sleep(after);
  } finally {
    await load.stopWriting();
  }
  const t = await load.finish();
  for (const id of load.accepted) ctx.accepted.add(id);
  return { t, load };
}

const ids = async (service: string) => new Set((await containers(service)).map((c) => c.id));
const allReady = (ctx: Ctx) => until(`${ctx.replicas} ready replicas`, async () => (await ctx.bal.refresh()).length === ctx.replicas, 90_000);

export async function rollingUpdate(ctx: Ctx): Promise<string> {
  const app = svc(ctx, 'app');
  const before = new Set((await containers(app)).map((c) => c.task));
  let state = '';
  const { t, load } = await underLoad(ctx, 'rolling', async () => {
    await docker('service', 'update', '--detach', '--force', app);
    state = await updateSettled(app, 360_000);
    await allReady(ctx);
  });
  const now = (await containers(app)).map((c) => c.task);
  const onNew = load.streams.filter((s) => s.resumes > 0 && !before.has(s.replicas.at(-1)!)).length;
  const said = `${figures(t)}; update ${state}; ${onNew}/${load.streams.length} streams resumed on new tasks`;
  if (state !== 'completed' || t.failed || t.lost || t.duplicated || now.some((x) => before.has(x)) || onNew !== load.streams.length) {
    throw new Error(`${said}${t.failures.length ? `; e.g. ${t.failures.join(' | ')}` : ''}`);
  }
  return said;
}

export async function killAppTask(ctx: Ctx): Promise<string> {
  const app = svc(ctx, 'app');
  const [victim, ...others] = await containers(app);
  const { t } = await underLoad(ctx, 'kill-app', async () => {
    await docker('kill', '-s', 'KILL', victim!.id);
    await until('a replacement task', async () => !(await ids(app)).has(victim!.id) && (await containers(app)).length === ctx.replicas, 90_000);
    await healthy(app, ctx.replicas, 120_000);
    await allReady(ctx);
  });
  const still = await ids(app);
  const restarted = others.filter((c) => !still.has(c.id)).length;
  const said = `${figures(t)}; ${restarted} other replicas restarted`;
  if (t.lost || t.duplicated || restarted) throw new Error(said);
  return said;
}

export async function killPostgres(ctx: Ctx): Promise<string> {
  const app = svc(ctx, 'app');
  const [pg] = await containers(svc(ctx, 'postgres'));
  const replicas = await ids(app);
  const started = Date.now();
  let recoveredMs = 0;
  const { t } = await underLoad(ctx, 'kill-pg', async () => {
    await docker('kill', '-s', 'KILL', pg!.id);
    await until('a new PostgreSQL task', async () => !(await ids(svc(ctx, 'postgres'))).has(pg!.id), 60_000, 500);
    await healthy(svc(ctx, 'postgres'), 1, 120_000);
    await allReady(ctx);
    recoveredMs = Date.now() - started;
  }, 5000);
  const still = await ids(app);
  const restarted = [...replicas].filter((id) => !still.has(id)).length;
  const stored = await storedOf(ctx);
  const missing = [...ctx.accepted].filter((id) => !stored.has(id)).length;
  const said = `${figures(t)}; replicas ready again ${Math.round(recoveredMs / 1000)} s after the kill, ${restarted} restarted; ${missing} accepted posts missing from the database`;
  if (t.lost || t.duplicated || restarted || missing) throw new Error(said);
  return said;
}

async function storedOf(ctx: Ctx): Promise<Set<string>> {
  return new Set(await psql(ctx.stack, 'SELECT id FROM messages'));
}

export async function brokenUpdateRollsBack(ctx: Ctx): Promise<string> {
  const app = svc(ctx, 'app');
  let state = '';
  const { t } = await underLoad(ctx, 'broken', async () => {
    await docker('service', 'update', '--detach', '--args', 'node dist/no-such-file.js', app);
    state = await updateSettled(app, 300_000);
    await healthy(app, ctx.replicas, 120_000);
  });
  const args = await docker('service', 'inspect', '-f', '{{json .Spec.TaskTemplate.ContainerSpec.Args}}', app);
  const said = `update ${state}, args now ${args}; ${figures(t)}`;
  if (state !== 'rollback_completed' || (args !== 'null' && args !== '[]') || t.failed || t.lost || t.duplicated) throw new Error(said);
  return said;
}

export async function volumeSurvives(ctx: Ctx): Promise<string> {
  const pgService = svc(ctx, 'postgres');
  const [before] = await containers(pgService);
  const stored = await storedOf(ctx);
  await docker('service', 'update', '--detach', '--force', pgService);
  const state = await updateSettled(pgService, 180_000);
  const [after] = await healthy(pgService, 1, 120_000);
  await allReady(ctx);
  const now = await storedOf(ctx);
  const missing = [...ctx.accepted].filter((id) => !now.has(id)).length;
  const said = `task replaced (${state}); ${now.size} messages after, ${stored.size} before; ${missing} of ${ctx.accepted.size} accepted posts missing`;
  if (state !== 'completed' || after!.id === before!.id || now.size < stored.size || missing) throw new Error(said);
  return said;
}
