import { readdirSync, readFileSync } from 'node:fs';
import type { Sql } from '../src/db/connect.ts';
import { devMetrics } from '../src/dev/cluster.ts';

export interface Summary { n: number; p50: number; p90: number; p99: number; max: number }

/** Nearest-rank percentiles. */
export function summarize(values: number[]): Summary {
  const s = Float64Array.from(values).sort();
  const at = (q: number) => (s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!);
  return { n: s.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: s.length ? s[s.length - 1]! : NaN };
}

const TICKS_PER_SECOND = 100;

export interface ProcSample { ticks: number; rssKb: number }

/** CPU ticks (user + system) and resident memory of a process, from /proc. */
export function readProc(pid: number): ProcSample {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(f[11]) + Number(f[12]);
    const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return { ticks, rssKb: Number(rss?.[1] ?? 0) };
  } catch {
    return { ticks: 0, rssKb: 0 };
  }
}

/** CPU use in percent of one core between two samples taken `ms` apart. */
export const cpuPercent = (a: ProcSample, b: ProcSample, ms: number) => ((b.ticks - a.ticks) / TICKS_PER_SECOND / (ms / 1000)) * 100;

/** The postmaster and all its children: the whole PostgreSQL server. */
export function postgresPids(postmasterPidFile: string): number[] {
  const main = Number(readFileSync(postmasterPidFile, 'utf8').split('\n')[0]);
  const pids = [main];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === main) pids.push(Number(entry));
    } catch {
      // gone already
    }
  }
  return pids;
}

/** CPU ticks of a process group that gains members (new connections): new members count from 0. */
function groupTicks(pids: number[]): Map<number, number> {
  return new Map(pids.map((pid) => [pid, readProc(pid).ticks]));
}

function groupDelta(before: Map<number, number>, after: Map<number, number>): number {
  let ticks = 0;
  for (const [pid, t] of after) ticks += t - (before.get(pid) ?? 0);
  return ticks;
}

/** chat_polls_total of one replica, from its Prometheus endpoint. */
export async function pollsTotal(base: string): Promise<number> {
  const text = await devMetrics(base);
  const m = /^chat_polls_total\{[^}]*\} (\d+(?:\.\d+)?)$/m.exec(text);
  return Number(m?.[1] ?? 0);
}

/** Committed transactions in the database so far (pg_stat_database, flushed about once a second). */
export async function xactCommits(sql: Sql): Promise<number> {
  const [row] = await sql<{ n: string }[]>`SELECT xact_commit AS n FROM pg_stat_database WHERE datname = current_database()`;
  return Number(row?.n ?? 0);
}

/** Busy CPU ticks of the whole machine (all cores), from /proc/stat. */
function machineTicks(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  return f.reduce((a, b) => a + b, 0) - (f[3] ?? 0) - (f[4] ?? 0);
}

/** How busy the machine is now, in % of one core (2 cores: up to 200). */
export async function machineBusy(ms = 1000): Promise<number> {
  const t0 = performance.now();
  const a = machineTicks();
  await new Promise((r) => setTimeout(r, ms));
  return cpuPercent({ ticks: a, rssKb: 0 }, { ticks: machineTicks(), rssKb: 0 }, performance.now() - t0);
}

/** Rates over a window; CPU in % of one core. `otherCpu`: what the rest of the machine used meanwhile. */
export interface Window { ms: number; polls: number; xacts: number; cpu: number[]; rssKb: number[]; pgCpu: number; benchCpu: number; otherCpu: number }

/** Takes counters now; the returned function takes them again and gives the rates in between. */
export async function startWindow(bases: string[], pids: number[], sql: Sql, pidFile: string): Promise<() => Promise<Window>> {
  const t0 = performance.now();
  const polls0 = await Promise.all(bases.map(pollsTotal));
  const x0 = await xactCommits(sql);
  const p0 = pids.map(readProc);
  const pg0 = groupTicks(postgresPids(pidFile));
  const b0 = process.cpuUsage();
  const m0 = machineTicks();
  return async () => {
    const ms = performance.now() - t0;
    const polls1 = await Promise.all(bases.map(pollsTotal));
    const x1 = await xactCommits(sql);
    const p1 = pids.map(readProc);
    const b1 = process.cpuUsage(b0);
    const pgCpu = cpuPercent({ ticks: 0, rssKb: 0 }, { ticks: groupDelta(pg0, groupTicks(postgresPids(pidFile))), rssKb: 0 }, ms);
    const cpu = p1.map((s, i) => cpuPercent(p0[i]!, s, ms));
    const benchCpu = ((b1.user + b1.system) / 1000 / ms) * 100;
    const machine = cpuPercent({ ticks: m0, rssKb: 0 }, { ticks: machineTicks(), rssKb: 0 }, ms);
    return {
      ms,
      polls: (polls1.reduce((a, b) => a + b, 0) - polls0.reduce((a, b) => a + b, 0)) / (ms / 1000),
      xacts: (x1 - x0) / (ms / 1000),
      cpu,
      rssKb: p1.map((s) => s.rssKb),
      pgCpu,
      benchCpu,
      otherCpu: Math.max(0, machine - pgCpu - benchCpu - cpu.reduce((a, b) => a + b, 0)),
    };
  };
}
