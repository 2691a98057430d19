import { fmt, type Row } from '../rig-types.ts';
import type { Target } from '../targets.ts';
import { preparePeer } from './setup.ts';

/** The same load on this chat (NOTIFY on) and on the peer, from one run. */
export interface Pair { load: string; chat: Row; peer: Row }

/** The loads the peer runs, in order; each names the chat's scenario with the same load. */
export const PEER_LOADS = ['a', 'burst', 'c', 'd', 'kill'] as const;

/** The peer under each load, next to this chat's NOTIFY-on row of the same run (run now if missing). */
export async function peerScenario(
  rows: Row[], run: (load: string, peer: boolean) => Promise<Row>, log: (m: string) => void, loads: readonly string[] = PEER_LOADS,
): Promise<Pair[]> {
  const why = preparePeer(log);
  if (why) {
    log(`skipping the peer: ${why}`);
    return [];
  }
  const pairs: Pair[] = [];
  for (const load of PEER_LOADS.filter((l) => loads.includes(l))) {
    let chat = rows.find((r) => r.scenario === load && r.notify && !r.peer);
    if (!chat) rows.push((chat = await run(load, false)));
    const peer = await run(load, true);
    rows.push(peer);
    pairs.push({ load, chat, peer });
  }
  return pairs;
}

const LABEL: Record<string, string> = {
  a: 'paced, 20 ms apart (a)', burst: 'burst of 480 from 12 writers', c: 'fan-out to N streams (c)',
  d: 'throughput ramp (d)', kill: "reader's node killed, writer going on",
};

const fanout = (r: Row) => Number(String(r.extra['POST -> all streams, ms p50 / max']).split(' / ')[1]);
const maxRate = (r: Row) => Number(r.extra['max accepted msg/s with p99 <= 1 s']);
const ratio = (a: number, b: number) => (b > 0 && Number.isFinite(a) && Number.isFinite(b) ? (a / b).toFixed(2) : '-');
const dirty = (r: Row) => `${r.lost} lost, ${r.duplicates} dup, ${r.outOfOrder} out of order`;

/** Lines of [load, measure, this chat, peer, ratio this/peer]. */
export function ratioRows(pairs: Pair[]): string[][] {
  const out: string[][] = [];
  const add = (p: Pair, measure: string, a: number, b: number, unit = 'ms') =>
    out.push([LABEL[p.load] ?? p.load, measure, `${fmt(a)} ${unit}`, `${fmt(b)} ${unit}`, ratio(a, b)]);
  for (const p of pairs) {
    if (p.load === 'a' || p.load === 'burst') {
      add(p, 'p50', p.chat.latency.p50, p.peer.latency.p50);
      add(p, 'p99', p.chat.latency.p99, p.peer.latency.p99);
    }
    if (p.load === 'c') add(p, `POST to the last of ${p.chat.clients} / ${p.peer.clients}, worst of 5`, fanout(p.chat), fanout(p.peer));
    if (p.load === 'd') add(p, 'max accepted with p99 <= 1 s (higher is better)', maxRate(p.chat), maxRate(p.peer), 'msg/s');
    if (p.load !== 'c') out.push([LABEL[p.load] ?? p.load, 'lost / dup / out of order', dirty(p.chat), dirty(p.peer), '-']);
  }
  return out;
}

export function comparisonMarkdown(pairs: Pair[]): string {
  if (pairs.length === 0) return '';
  const rows = ratioRows(pairs);
  const md = (c: string[]) => `| ${c.join(' | ')} |`;
  return ['This chat (NOTIFY on) against the peer, seed 002\'s design (Socket.IO 4 with @socket.io/redis-adapter, Debian\'s redis-server, ' +
    'each post inserted into PostgreSQL before the broadcast; `bench/peers/`), same loads, same machine, same run:',
  [md(['load', 'measure', 'this chat', 'peer', 'ratio this/peer']), md(['---', '---', '---', '---', '---']), ...rows.map(md)].join('\n')].join('\n\n');
}

export function printComparison(pairs: Pair[]): string {
  return ratioRows(pairs).map((r) => `${r[0]!.padEnd(38)} ${r[1]!.padEnd(46)} ${r[2]!.padStart(30)} ${r[3]!.padStart(30)}  ${r[4]}`).join('\n');
}

/** Issue 15's targets against the peer. */
export function peerTargets(pairs: Pair[]): Target[] {
  const t: Target[] = [];
  for (const p of pairs) {
    const { chat, peer } = p;
    if (p.load === 'a') {
      t.push({ name: 'paced p50 <= the peer\'s (ratio <= 1.0)', measured: `${fmt(chat.latency.p50)} vs ${fmt(peer.latency.p50)} ms (${ratio(chat.latency.p50, peer.latency.p50)})`, met: chat.latency.p50 <= peer.latency.p50 });
      t.push({ name: 'paced p99 <= the peer\'s', measured: `${fmt(chat.latency.p99)} vs ${fmt(peer.latency.p99)} ms (${ratio(chat.latency.p99, peer.latency.p99)})`, met: chat.latency.p99 <= peer.latency.p99 });
    }
    if (p.load === 'burst') {
      t.push({ name: 'burst p99 <= the peer\'s', measured: `${fmt(chat.latency.p99)} vs ${fmt(peer.latency.p99)} ms (${ratio(chat.latency.p99, peer.latency.p99)})`, met: chat.latency.p99 <= peer.latency.p99 });
    }
    if (p.load === 'kill') {
      t.push({ name: 'reader\'s node killed, writer going on: 0 lost, 0 dup, 0 out of order', measured: `this chat ${dirty(chat)}; peer ${dirty(peer)}`, met: chat.lost + chat.duplicates + chat.outOfOrder === 0 });
    }
  }
  return t;
}
