// Backups (pgBackRest) and a point-in-time restore, done with the commands of the restore drill
// in Documentation/operations.md.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { post } from '../lib/client.ts';
import { Load, figures } from '../lib/load.ts';
import { docker, sleep, until } from '../lib/sh.ts';
import { containers, healthy, psql } from '../lib/swarm.ts';
import { svc, type Ctx } from './setup.ts';

const run = promisify(execFile);

interface Backup {
  label: string;
  type: string;
  timestamp: { start: number; stop: number };
  info: { size: number; repository: { delta: number } };
}

async function backups(container: string): Promise<Backup[]> {
  const out = await docker('exec', container, 'pgbackrest', '--stanza=chat', 'info', '--output=json');
  return (JSON.parse(out) as Array<{ backup?: Backup[] }>)[0]?.backup ?? [];
}

const logsOf = async (container: string) => (await run('docker', ['logs', container], { maxBuffer: 64 << 20 })).stderr;
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const said = (b: Backup) => `${mb(b.info.repository.delta)} stored for a ${mb(b.info.size)} cluster, ${b.timestamp.stop - b.timestamp.start} s`;

/** Stops a service's tasks and removes their containers, running and exited, so its volumes are free. */
async function stop(service: string): Promise<void> {
  await docker('service', 'scale', '--detach', `${service}=0`);
  await until(`${service} to stop`, async () => (await containers(service)).length === 0, 120_000);
  const left = (await docker('ps', '-aq', '--filter', `label=com.docker.swarm.service.name=${service}`)).split('\n').filter(Boolean);
  if (left.length) await docker('rm', '-f', ...left);
}

export async function backupAndRestore(ctx: Ctx): Promise<string> {
  const pgService = svc(ctx, 'postgres');
  const backupService = svc(ctx, 'backup');
  const [bk] = await healthy(backupService, 1, 60_000);

  // The schedule's first full backup, taken when the stack came up.
  const full = await until('the scheduled full backup', async () => (await backups(bk!.id)).find((b) => b.type === 'full'), 300_000, 3000);

  // A differential while posts keep coming, and posts after it that only the archived WAL holds.
  const load = new Load(ctx.bal, ctx.cookie, 'backup');
  load.startWriting();
  await sleep(2000);
  await docker('exec', bk!.id, 'chat-backup', 'diff');
  await sleep(5000);
  await load.stopWriting();
  const t = await load.finish();
  for (const id of load.accepted) ctx.accepted.add(id);
  const diff = (await backups(bk!.id)).filter((b) => b.type === 'diff').at(-1);
  if (!diff) throw new Error('no differential backup after chat-backup diff');

  // The point to return to, then the mistake.
  const [target] = await psql(ctx.stack, `SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'`);
  const [before] = await psql(ctx.stack, 'SELECT count(*) FROM messages');
  await sleep(1500);
  await psql(ctx.stack, 'DROP TABLE messages CASCADE');

  // The drill: WAL up to now into the repository, stop, destroy the volume, restore, start.
  await docker('exec', bk!.id, 'pgbackrest', '--stanza=chat', 'check');
  const image = await docker('service', 'inspect', '-f', '{{.Spec.TaskTemplate.ContainerSpec.Image}}', pgService);
  await stop(backupService);
  await stop(pgService);
  await docker('volume', 'rm', `${ctx.stack}_postgres-data`);
  const restoreStarted = Date.now();
  const restored = await docker('run', '--rm', '--user', 'postgres',
    '-v', `${ctx.stack}_postgres-data:/var/lib/postgresql`, '-v', `${ctx.stack}_pgbackrest-repo:/var/lib/pgbackrest`,
    image, 'chat-restore', target!);
  const rebuiltMs = Date.now() - restoreStarted;
  await docker('service', 'scale', '--detach', `${pgService}=1`, `${backupService}=1`);
  const [pg] = await healthy(pgService, 1, 300_000);
  const openMs = Date.now() - restoreStarted;
  await until(`${ctx.replicas} ready replicas`, async () => (await ctx.bal.refresh()).length === ctx.replicas, 120_000);
  const readyMs = Date.now() - restoreStarted;

  // What came back.
  // PostgreSQL logs to stderr, which `docker logs` passes on as its own.
  const pgLog = await logsOf(pg!.id);
  const stopped = /recovery stopping before commit of transaction \d+, time ([^\n]+)/.exec(pgLog)?.[1];
  const lastTx = /last completed transaction was at log time ([^\n]+)/.exec(pgLog)?.[1];
  const stored = new Set(await psql(ctx.stack, 'SELECT id FROM messages'));
  const missing = [...ctx.accepted].filter((id) => !stored.has(id)).length;
  const after = await post(ctx.bal, ctx.cookie, 'general', 'after the restore');
  const served = typeof after === 'string' ? after : 'a new post accepted';
  const text = `full backup (scheduled): ${said(full)}; differential under a steady writer: ${said(diff)}, ${figures(t)}; ` +
    `restore: data directory rebuilt in ${(rebuiltMs / 1000).toFixed(1)} s, open for writes after ${(openMs / 1000).toFixed(0)} s, ` +
    `every replica ready after ${(readyMs / 1000).toFixed(0)} s; recovery point: target ${target}, last replayed transaction ${lastTx ?? '?'}` +
    `${stopped ? `, stopped before the commit at ${stopped}` : ''}; ${stored.size} messages (${before} before the drop), ` +
    `${missing} of ${ctx.accepted.size} accepted posts missing; ${served}`;
  if (!/rebuilt/.test(restored) || missing || stored.size !== Number(before) || typeof after === 'string' || t.failed) throw new Error(text);
  return text;
}
