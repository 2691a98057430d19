// The stack as deployed: tasks, migrations, roles, replicas, timeouts.
import { post } from '../lib/client.ts';
import { Load, figures } from '../lib/load.ts';
import { docker, sleep } from '../lib/sh.ts';
import { containers, psql, tasks } from '../lib/swarm.ts';
import { svc, type Ctx } from './setup.ts';

export async function everyTaskHealthy(ctx: Ctx): Promise<string> {
  const app = await containers(svc(ctx, 'app'));
  const pg = await containers(svc(ctx, 'postgres'));
  const job = await tasks(svc(ctx, 'migrate'));
  const pgadmin = await containers(svc(ctx, 'pgadmin'));
  if (app.length !== ctx.replicas || app.some((c) => c.health !== 'healthy')) throw new Error(`app: ${app.map((c) => c.health).join(', ')}`);
  if (pg.length !== 1 || pg[0]!.health !== 'healthy') throw new Error(`postgres: ${pg.map((c) => c.health).join(', ') || 'no task'}`);
  if (!job.some((t) => /^Complete/.test(t.state))) throw new Error(`migrate job: ${job.map((t) => t.state).join(', ')}`);
  if (pgadmin.length !== 0) throw new Error('pgAdmin runs a task, but it has no image here');
  const backup = await containers(svc(ctx, 'backup'));
  if (backup.length !== 1) throw new Error(`backup: ${backup.length} tasks running`);
  return `${app.length}/${ctx.replicas} app tasks healthy, postgres healthy, migrate job complete (${job.length} attempt(s)), backup schedule running`;
}

export async function migratedOnceAsOwner(ctx: Ctx): Promise<string> {
  const rows = await psql(ctx.stack, 'SELECT version FROM schema_migrations ORDER BY version');
  if (rows.join() !== ctx.sqlFiles.join()) throw new Error(`schema_migrations: ${rows.join(', ')}; sql/: ${ctx.sqlFiles.join(', ')}`);
  const owners = await psql(ctx.stack, "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'");
  if (owners.join() !== 'chat_owner') throw new Error(`tables owned by ${owners.join(', ')}`);
  const appLogs = await docker('service', 'logs', '--raw', svc(ctx, 'app'));
  const jobLogs = await docker('service', 'logs', '--raw', svc(ctx, 'migrate'));
  if (/migrations applied/.test(appLogs)) throw new Error('an app replica applied migrations itself');
  if (!/applied: /.test(jobLogs)) throw new Error(`the migrate job did not report applying them: ${jobLogs.slice(0, 200)}`);
  return `${rows.length} files applied once each, by the migrate job; every table owned by chat_owner`;
}

export async function runsAsChatApp(ctx: Ctx): Promise<string> {
  const users = await psql(ctx.stack, `SELECT DISTINCT usename FROM pg_stat_activity WHERE application_name LIKE 'chat ${svc(ctx, 'app')}%'`);
  if (users.join() !== 'chat_app') throw new Error(`app sessions as: ${users.join(', ') || 'none'}`);
  const c = (await containers(svc(ctx, 'app')))[0]!;
  const secrets = await docker('exec', c.id, 'ls', '/run/secrets');
  if (/migrate/.test(secrets)) throw new Error(`replica holds ${secrets}`);
  const uid = await docker('exec', c.id, 'id', '-u');
  return `sessions of the replicas: ${users.join()}; secrets in a replica: ${secrets.split('\n').join(', ')}; process uid ${uid}`;
}

export async function postAndStreamAcrossReplicas(ctx: Ctx): Promise<string> {
  const load = new Load(ctx.bal, ctx.cookie, 'across');
  await load.openStreams(ctx.replicas);
  const by = new Set<string>();
  for (let i = 0; i < 10; i++) {
    const r = await post(ctx.bal, ctx.cookie, 'general', `across-${i}`);
    if (typeof r === 'string') throw new Error(r);
    load.accepted.add(r.id);
    by.add(r.task);
  }
  const t = await load.finish();
  for (const id of load.accepted) ctx.accepted.add(id);
  // These quick posts count against the person's 20 posts per 10 s; let the window pass before
  // the steady writers of the next checks.
  await sleep(10_000);
  const servedBy = new Set(load.streams.map((s) => s.replicas[0]));
  if (t.lost || t.duplicated || by.size < 2 || servedBy.size < 2) throw new Error(figures(t));
  return `${t.accepted} posts through ${by.size} replicas reached ${load.streams.length} streams on ${servedBy.size} replicas: ${t.lost} lost, ${t.duplicated} duplicated`;
}

const show = ['idle_in_transaction_session_timeout', 'transaction_timeout', 'statement_timeout', 'lock_timeout'];

export async function timeoutsInForce(ctx: Ctx): Promise<string> {
  const admin = await psql(ctx.stack, show.map((s) => `SELECT current_setting('${s}')`).join(' UNION ALL '));
  const c = (await containers(svc(ctx, 'app')))[0]!;
  // The app's own connect(), its role and its session settings, inside a replica.
  const script = `import { connect } from '/app/dist/db/connect.js'; import { readFileSync } from 'node:fs';
    const sql = connect(readFileSync('/run/secrets/chat_database_url', 'utf8').trim(), { max: 1 });
    const out = []; for (const s of ${JSON.stringify(show)}) out.push((await sql.unsafe('SHOW ' + s))[0][s]);
    console.log(out.join(' ')); await sql.end();`;
  const app = (await docker('exec', '-w', '/app', c.id, 'node', '--input-type=module', '-e', script)).split(' ');
  const want = { admin: ['30s', '1min', '0', '0'], app: ['5s', '1min', '5s', '5s'] };
  const said = `admin (chat_owner): ${admin.join(' / ')}; app (chat_app): ${app.join(' / ')} [${show.join(' / ')}]`;
  if (admin.join() !== want.admin.join() || app.join() !== want.app.join()) throw new Error(said);
  return said;
}

export async function metricsAndLogs(ctx: Ctx): Promise<string> {
  const c = (await containers(svc(ctx, 'app')))[0]!;
  // METRICS_PORT 9100 (stack.yml) serves /metrics; the port Traefik routes to does not.
  const script = `const get = (p) => fetch('http://127.0.0.1:' + p + '/metrics').then(async (r) => [r.status, await r.text()]);
    const [status, text] = await get(9100); const [main] = await get(3000);
    console.log(status + ' ' + main + ' ' + text.split('\\n').filter((l) => /^(nodejs_eventloop_lag_seconds|nodejs_heap_size_used_bytes|chat_polls_total)[{ ]/.test(l)).join('|'));`;
  const out = await docker('exec', c.id, 'node', '--input-type=module', '-e', script);
  const [status, main, ...rest] = out.split(' ');
  const lines = rest.join(' ');
  const found = lines.split('|').map((l) => l.split(/[{ ]/)[0]);
  const wanted = ['nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes', 'chat_polls_total'];
  if (status !== '200' || main === '200' || !wanted.every((m) => found.includes(m)) || !lines.includes(`replica="${c.task}`)) {
    throw new Error(`:9100/metrics ${status}, :3000/metrics ${main}: ${lines.slice(0, 200)}`);
  }
  const logs = (await docker('service', 'logs', '--raw', svc(ctx, 'app'))).split('\n').filter(Boolean);
  const bad = logs.filter((l) => { try { return !(JSON.parse(l) as { replica?: string }).replica; } catch { return true; } });
  if (bad.length) throw new Error(`${bad.length} of ${logs.length} log lines are not JSON naming the replica: ${bad[0]!.slice(0, 120)}`);
  return `/metrics on :9100 (:3000 answers ${main}) has event-loop lag, heap and poll figures labelled with the replica; ${logs.length} log lines, each one JSON object naming its replica`;
}
