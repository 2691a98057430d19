// Backups on three nodes, after the primary was lost: the repository on the backup service
// (pgbackrest server, node labelled chat.backup=true) holds the schedule's full backup; the new
// primary archives its WAL there; a backup taken now comes from the new primary (pgBackRest finds
// it among pg1..pg3); and restored into a scratch instance it holds every accepted post, the last
// one, posted after that backup, from the archived WAL alone.
import { post } from '../lib/client.ts';
import { dockerWithin, until } from '../lib/sh.ts';
import { containers, nodes } from '../lib/swarm.ts';
import { svc, type Ctx } from '../checks/setup.ts';
import { cluster, leaderOf } from './cluster.ts';

interface Backup { label: string; type: string; timestamp: { start: number; stop: number }; archive: { start: string }; info: { size: number; repository: { delta: number } } }

/** A command in a service's one container, as postgres (pgBackRest will not run as root). */
async function execIn(ctx: Ctx, service: string, args: string[], timeoutMs = 120_000): Promise<string> {
  const [c] = await containers(svc(ctx, service));
  if (!c) throw new Error(`no container of ${service}`);
  return dockerWithin(timeoutMs, nodes.find((n) => n.name === c.node)?.engine, 'exec', '-u', 'postgres', c.id, ...args);
}

async function backups(ctx: Ctx): Promise<Backup[]> {
  const out = await execIn(ctx, 'backup', ['pgbackrest', '--stanza=chat', '--log-level-console=warn', 'info', '--output=json']);
  return (JSON.parse(out) as { backup?: Backup[] }[])[0]?.backup ?? [];
}

/** `pgbackrest check` on the primary: a WAL switch there, and the segment seen in the repository. */
async function archived(ctx: Ctx, primary: string): Promise<string> {
  const out = await execIn(ctx, primary, ['pgbackrest', '--stanza=chat', 'check']);
  const seg = /WAL segment (\w{24}) successfully archived/.exec(out)?.[1];
  if (!seg) throw new Error(`pgbackrest check on ${primary} named no archived segment: ${out.split('\n').slice(-3).join(' | ')}`);
  return seg;
}

// Restores the newest backup with the archived WAL to its end into /tmp (the backup service's
// own container: the repository is local there), starts it on a socket of its own with archiving
// off (never into the real repository), and prints every message id. The PGBACKREST_PG*
// settings name the members, so they are dropped for this one restore.
const scratch = `set -eu
for v in $(env | sed -n 's/^\\(PGBACKREST_PG[0-9]*_[A-Z_]*\\)=.*/\\1/p'); do unset "$v"; done
d=/tmp/chat-scratch pg=/usr/lib/postgresql/18/bin
rm -rf "$d"; mkdir -m 0700 "$d"
pgbackrest --stanza=chat --pg1-path="$d" --archive-mode=off --log-level-console=warn restore
$pg/pg_ctl -D "$d" -l /tmp/chat-scratch.log -w -t 120 -o "-c port=5499 -c listen_addresses= -c unix_socket_directories=/tmp -c archive_mode=off -c hba_file=$d/pg_hba.conf -c ident_file=$d/pg_ident.conf -c synchronous_standby_names= -c shared_buffers=32MB" start >/dev/null
q() { psql -h /tmp -p 5499 -U chat_owner -d chat -XAtq -c "$1"; }
for _ in $(seq 240); do [ "$(q 'SELECT pg_is_in_recovery()' 2>/dev/null)" = f ] && break; sleep 0.5; done
[ "$(q 'SELECT pg_is_in_recovery()')" = f ] || { tail -5 /tmp/chat-scratch.log >&2; exit 1; }
q 'SELECT id FROM messages'
$pg/pg_ctl -D "$d" -m immediate -w stop >/dev/null
rm -rf "$d" /tmp/chat-scratch.log`;

const s = (ms: number) => `${(ms / 1000).toFixed(0)} s`;

export async function backupsAfterFailover(ctx: Ctx): Promise<string> {
  const primary = leaderOf(await cluster(ctx));
  if (!primary) throw new Error('no primary');
  const timeline = (await cluster(ctx)).find((m) => m.name === primary)?.timeline ?? 0;
  const full = await until('the scheduled full backup', async () => (await backups(ctx)).find((b) => b.type === 'full'), 180_000, 3000);

  // WAL from the new primary reaches the repository (waits out a repository host that was down).
  const seg = await until(`WAL archived from ${primary}`, () => archived(ctx, primary), 120_000, 5000);
  const segTimeline = parseInt(seg.slice(0, 8), 16);

  let started = Date.now();
  await execIn(ctx, 'backup', ['pgbackrest', '--stanza=chat', '--type=incr', '--log-level-console=warn', 'backup'], 300_000);
  const incrTook = Date.now() - started;
  const incr = (await backups(ctx)).at(-1)!;

  // The last post, only in WAL archived after that backup.
  const last = await post(ctx.bal, ctx.cookie, 'general', 'after the last backup');
  if (typeof last === 'string') throw new Error(`a post after the backup failed: ${last}`);
  ctx.accepted.add(last.id);
  const lastSeg = await archived(ctx, primary);

  started = Date.now();
  const restored = new Set((await execIn(ctx, 'backup', ['bash', '-c', scratch], 300_000)).split('\n').filter(Boolean));
  const restoreTook = Date.now() - started;
  const missing = [...ctx.accepted].filter((id) => !restored.has(id)).length;

  const said = `full backup ${full.label} (${(full.info.repository.delta / 1e6).toFixed(1)} MB, WAL from ${full.archive.start.slice(0, 8)}) in the repository; `
    + `${primary} (timeline ${timeline}) archives: ${seg}, then ${lastSeg}; incremental backup from it in ${s(incrTook)} (${incr.label}); `
    + `restored into a scratch instance in ${s(restoreTook)}: ${restored.size} messages, the last post ${restored.has(last.id) ? 'there' : 'MISSING'}, ${missing} of ${ctx.accepted.size} accepted posts missing`;
  if (segTimeline !== timeline || timeline < 2 || incr.type !== 'incr' || !restored.has(last.id) || missing) throw new Error(said);
  return said;
}
