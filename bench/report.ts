import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fmt, type Row } from './rig-types.ts';
import type { Step } from './ramp.ts';
import type { Floor } from './floor.ts';
import type { Target } from './targets.ts';

export interface Report { command: string; date: string; rows: Row[]; ramps: Array<{ notify: boolean; steps: Step[] }>; targets: Target[]; ulimit: number; floor: Floor; comparison?: string }

const HEAD = ['scenario', 'NOTIFY', 'replicas', 'streams', 'rooms', 'offered msg/s', 'accepted msg/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms',
  'lost', 'dup', 'order', 'polls/s', 'db xact/s', 'replica CPU %', 'replica RSS MB', 'pg CPU %', 'bench CPU %', 'other CPU %',
  'replicas CPU ms/post', 'pg CPU ms/post'];

/** CPU milliseconds per accepted post over the window: all replicas (or peer nodes and Redis) together, and PostgreSQL. */
export function cpuPerPost(r: Row): { replicas: number; pg: number } {
  const per = (pct: number) => (r.accepted > 0 ? ((pct / 100) * r.window.ms) / r.accepted : NaN);
  return { replicas: per(r.window.cpu.reduce((a, b) => a + b, 0)), pg: per(r.window.pgCpu) };
}

function cells(r: Row): string[] {
  const w = r.window;
  return [r.peer ? `${r.scenario} (peer ${r.peer})` : r.scenario, r.peer ? '-' : r.notify ? 'on' : 'off', String(r.replicas), String(r.clients), String(r.rooms), r.offered, fmt(r.acceptedPerSec, 0),
    fmt(r.latency.p50), fmt(r.latency.p90), fmt(r.latency.p99), fmt(r.latency.max), String(r.lost), String(r.duplicates), String(r.outOfOrder),
    fmt(w.polls), fmt(w.xacts, 0), w.cpu.map((c) => fmt(c, 0)).join(' / '), w.rssKb.map((k) => fmt(k / 1024, 0)).join(' / '), fmt(w.pgCpu, 0), fmt(w.benchCpu, 0), fmt(w.otherCpu, 0),
    fmt(cpuPerPost(r).replicas, 2), fmt(cpuPerPost(r).pg, 2)];
}

const mdRow = (c: string[]) => `| ${c.join(' | ')} |`;
const mdTable = (head: string[], rows: string[][]) => [mdRow(head), mdRow(head.map(() => '---')), ...rows.map(mdRow)].join('\n');

export function machine(): string {
  return `${cpus().length} CPU (nproc) ${cpus()[0]?.model ?? ''}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB memory, Node.js ${process.version}, ${process.platform} ${process.arch}`;
}

/** The table as plain text for the terminal. */
export function printTable(rows: Row[]): string {
  const all = [HEAD, ...rows.map(cells)];
  const widths = HEAD.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  return all.map((r) => r.map((c, i) => c.padStart(widths[i]!)).join('  ')).join('\n');
}

function extras(rows: Row[]): string {
  return rows.filter((r) => Object.keys(r.extra).length > 0).map((r) =>
    `- **${r.scenario}, ${r.peer ? 'peer' : `NOTIFY ${r.notify ? 'on' : 'off'}`}**: ` + Object.entries(r.extra).map(([k, v]) => `${k}: ${v}`).join('; ')).join('\n');
}

function rampTable(ramps: Report['ramps']): string {
  return ramps.map(({ notify, steps }) => `NOTIFY ${notify ? 'on' : 'off'}:\n\n` + mdTable(
    ['offered msg/s', 'accepted msg/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'posts in flight after the step'],
    steps.map((s) => [String(s.offered), fmt(s.acceptedPerSec, 0), fmt(s.latency.p50), fmt(s.latency.p90), fmt(s.latency.p99), fmt(s.latency.max), String(s.pending)]),
  )).join('\n\n');
}

export function markdown(r: Report): string {
  const parts = [
    `Measured ${r.date} on ${machine()}; open-file limit (\`ulimit -n\`) ${r.ulimit}.`,
    `Command: \`${r.command}\``,
    `Machine floor (no chat code): a one-byte round trip to another process over loopback TCP takes ${r.floor.roundTripBusyMs.toFixed(2)} ms ` +
      `back to back and ${r.floor.roundTripIdleMs.toFixed(2)} ms when the processes idle 20 ms in between; writing a 400-byte chunk to ` +
      `${r.floor.writeSockets} loopback sockets costs ${r.floor.writeUs.toFixed(1)} µs per socket, so one message to 10,000 streams needs ` +
      `at least ${((r.floor.writeUs * 10_000) / 1000).toFixed(0)} ms of one core in write calls alone.`,
    mdTable(HEAD, r.rows.map(cells)),
    'Columns: latency is from the moment the bench sends the POST to the event arriving on a stream of another replica ' +
      '(all streams when there is one replica); lost = accepted posts a stream of that room never got; dup = copies beyond the first; ' +
      'order = first copies that arrived after a later cursor; polls/s and CPU/RSS are per scenario window, CPU in % of one core, per replica; CPU ms/post = CPU time over the window per accepted post (all replicas together; for the peer its nodes and Redis), so idle upkeep weighs on slow scenarios; other CPU = what the rest of the machine used meanwhile (other work disturbs the figures).',
    extras(r.rows),
    r.comparison ?? '',
  ];
  if (r.ramps.length > 0) parts.push('Ramp (d), step by step (chart: [latency.svg](latency.svg)):', rampTable(r.ramps));
  if (r.targets.length > 0) {
    parts.push('Targets:', mdTable(['target', 'measured', 'result'], r.targets.map((t) => [t.name, t.measured, t.met ? 'met' : '**not met**'])));
  }
  return parts.filter((p) => p.length > 0).join('\n\n');
}

const START = '<!-- bench:start (generated by npm run bench; edit outside these markers) -->';
const END = '<!-- bench:end -->';

/** Replaces the generated part of the document, keeping the text written around it. */
export function writeDoc(file: string, generated: string): void {
  const block = `${START}\n${generated}\n${END}`;
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const a = old.indexOf('<!-- bench:start');
  const b = old.indexOf(END);
  const doc = a >= 0 && b > a ? old.slice(0, a) + block + old.slice(b + END.length) : `# Performance\n\n${block}\n${old ? '\n' + old : ''}`;
  writeFileSync(file, doc);
}
