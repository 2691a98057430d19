import { cpuPerPost, fmt, type PeerKind, type Row } from '../rig-types.ts';
import type { Target } from '../targets.ts';
import { preparePeer } from './setup.ts';

/** The peers, in the order they run and are printed. */
export const PEERS: readonly PeerKind[] = ['redis', 'streams'];

/** How the comparison names each peer. */
const SHORT: Record<PeerKind, string> = { redis: 'Redis adapter', streams: 'Redis streams + recovery' };
export const PEER_NAME: Record<PeerKind, string> = { redis: `peer (${SHORT.redis})`, streams: `peer (${SHORT.streams})` };

/** The same load on this chat (NOTIFY on) and on each peer, from one run. */
export interface Pair { load: string; chat: Row; peers: Record<PeerKind, Row> }

/** The loads the peers run, in order; each names the chat's scenario with the same load. */
export const PEER_LOADS = ['a', 'burst', 'burst-delay', 'c', 'd', 'kill'] as const;

/** Both peers under each load, next to this chat's NOTIFY-on row of the same run (run now if missing). */
export async function peerScenario(
  rows: Row[], run: (load: string, peer?: PeerKind) => Promise<Row>, log: (m: string) => void, loads: readonly string[] = PEER_LOADS,
): Promise<Pair[]> {
  const why = preparePeer(log);
  if (why) {
    log(`skipping the peers: ${why}`);
    return [];
  }
  const pairs: Pair[] = [];
  for (const load of PEER_LOADS.filter((l) => loads.includes(l))) {
    let chat = rows.find((r) => r.scenario === load && r.notify && !r.peer);
    if (!chat) rows.push((chat = await run(load)));
    const peers = {} as Record<PeerKind, Row>;
    for (const kind of PEERS) {
      const row = await run(load, kind);
      row.extra = { peer: SHORT[kind], ...row.extra };
      rows.push((peers[kind] = row));
    }
    pairs.push({ load, chat, peers });
  }
  return pairs;
}

const LABEL: Record<string, string> = {
  a: 'paced, 20 ms apart (a)', burst: 'burst of 480 from 12 writers', 'burst-delay': 'same burst, commit_delay 1 ms', c: 'fan-out to N streams (c)',
  d: 'throughput ramp (d)', kill: "reader's node killed, writer going on",
};

const fanout = (r: Row) => Number(String(r.extra['POST -> all streams, ms p50 / max']).split(' / ')[1]);
const maxRate = (r: Row) => Number(r.extra['max accepted msg/s with p99 <= 1 s']);
const ratio = (a: number, b: number) => (b > 0 && Number.isFinite(a) && Number.isFinite(b) ? (a / b).toFixed(2) : '-');
const dirty = (r: Row) => `${r.lost} lost, ${r.duplicates} dup, ${r.outOfOrder} out of order`;

/** The comparison's columns: load, measure, this chat, each peer, then the ratio this/each peer. */
export const HEAD = ['load', 'measure', 'this chat', ...PEERS.map((k) => PEER_NAME[k]), ...PEERS.map((k) => `this/${SHORT[k]}`)];

/** Lines of [load, measure, this chat, each peer, ratio this/each peer]. */
export function ratioRows(pairs: Pair[]): string[][] {
  const out: string[][] = [];
  const add = (p: Pair, measure: string, get: (r: Row) => number, unit = 'ms') => {
    const a = get(p.chat);
    out.push([LABEL[p.load] ?? p.load, measure, `${fmt(a)} ${unit}`, ...PEERS.map((k) => `${fmt(get(p.peers[k]))} ${unit}`),
      ...PEERS.map((k) => ratio(a, get(p.peers[k])))]);
  };
  for (const p of pairs) {
    if (p.load === 'a' || p.load.startsWith('burst')) {
      add(p, 'p50', (r) => r.latency.p50);
      add(p, 'p99', (r) => r.latency.p99);
    }
    if (p.load !== 'c') add(p, 'CPU per accepted post: servers + PostgreSQL', (r) => cpuPerPost(r).replicas + cpuPerPost(r).pg);
    if (p.load === 'c') add(p, `POST to the last of ${p.chat.clients} / ${PEERS.map((k) => p.peers[k].clients).join(' / ')}, worst of 5`, fanout);
    if (p.load === 'd') add(p, 'max accepted with p99 <= 1 s (higher is better)', maxRate, 'msg/s');
    if (p.load !== 'c') out.push([LABEL[p.load] ?? p.load, 'lost / dup / out of order', dirty(p.chat), ...PEERS.map((k) => dirty(p.peers[k])), ...PEERS.map(() => '-')]);
    if (p.load === 'kill') {
      const recovered = (k: PeerKind) => String(p.peers[k].extra['sessions recovered'] ?? '-');
      out.push([LABEL[p.load] ?? p.load, 'sessions recovered / reconnects', '-', ...PEERS.map(recovered), ...PEERS.map(() => '-')]);
    }
  }
  return out;
}

export function comparisonMarkdown(pairs: Pair[]): string {
  if (pairs.length === 0) return '';
  const rows = ratioRows(pairs);
  const md = (c: string[]) => `| ${c.join(' | ')} |`;
  return ['This chat (NOTIFY on) against two peers, same loads, same machine, same run (`bench/peers/`; Socket.IO 4, Debian\'s redis-server, ' +
    'each post inserted into PostgreSQL before the broadcast): seed 002\'s design with @socket.io/redis-adapter (Redis pub/sub, nothing ' +
    'replayed after a reconnect), and @socket.io/redis-streams-adapter with connection-state recovery (a reconnecting socket offers its ' +
    'session id and last offset; the session is saved only when a node sees its socket close, so not when the node is killed):',
  [md(HEAD), md(HEAD.map(() => '---')), ...rows.map(md)].join('\n')].join('\n\n');
}

export function printComparison(pairs: Pair[]): string {
  const all = [HEAD, ...ratioRows(pairs)];
  const widths = HEAD.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  return all.map((r) => r.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n');
}

/** The peer with the lower latency (a figure missing counts as the worst), and its row. */
function better(p: Pair, get: (r: Row) => number): [PeerKind, Row] {
  const of = (k: PeerKind) => (Number.isFinite(get(p.peers[k])) ? get(p.peers[k]) : Infinity);
  const [kind] = [...PEERS].sort((x, y) => of(x) - of(y));
  return [kind!, p.peers[kind!]];
}

/** Issue 15's targets, against the better of the two peers on each measure (named in the target). */
export function peerTargets(pairs: Pair[]): Target[] {
  const t: Target[] = [];
  const vs = (p: Pair, what: string, get: (r: Row) => number) => {
    const [kind, peer] = better(p, get);
    const [a, b] = [get(p.chat), get(peer)];
    t.push({ name: `${what} <= the better peer's, ${PEER_NAME[kind]}`, measured: `${fmt(a)} vs ${fmt(b)} ms (${ratio(a, b)})`, met: a <= b });
  };
  for (const p of pairs) {
    if (p.load === 'a') {
      vs(p, 'paced p50', (r) => r.latency.p50);
      vs(p, 'paced p99', (r) => r.latency.p99);
    }
    if (p.load === 'burst') vs(p, 'burst p99', (r) => r.latency.p99);
    if (p.load === 'burst-delay') vs(p, 'burst p99 with commit_delay 1 ms', (r) => r.latency.p99);
    if (p.load === 'kill') {
      const { chat } = p;
      t.push({
        name: 'reader\'s node killed, writer going on: 0 lost, 0 dup, 0 out of order',
        measured: `this chat ${dirty(chat)}; ${PEERS.map((k) => `${PEER_NAME[k]} ${dirty(p.peers[k])}`).join('; ')}`,
        met: chat.lost + chat.duplicates + chat.outOfOrder === 0,
      });
    }
  }
  return t;
}
