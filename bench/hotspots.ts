import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

// npx tsx bench/hotspots.ts DIR [N]: the functions that used the most CPU in the .cpuprofile files
// that `npm run bench -- --cpu-prof DIR` left there (one per replica), self time and inclusive time.
// `npx tsx bench/hotspots.ts DIR N FROM_S TO_S`: only the samples from FROM_S to TO_S seconds after each
// profile started (leaves out start-up, sign-ins and shutdown); `timeline` as FROM_S: busy ms per 0.5 s.

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

const dir = process.argv[2];
const top = Number(process.argv[3] ?? 25);
const timeline = process.argv[4] === 'timeline';
const fromMs = timeline ? 0 : Number(process.argv[4] ?? 0) * 1000;
const toMs = process.argv[5] === undefined ? Infinity : Number(process.argv[5]) * 1000;
if (!dir) {
  console.error('usage: tsx bench/hotspots.ts DIR [N]');
  process.exit(2);
}

const label = (n: Node) => {
  const f = n.callFrame;
  const file = f.url.replace(/^file:\/\//, '').replace(/^.*\/(node_modules\/|src\/)/, '$1');
  return `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}`;
};

for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
  // (a loop body: `continue` ends one profile)
  const p = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let all = 0;
  let at = 0;
  const buckets: number[] = [];
  p.samples.forEach((id, i) => {
    const dt = (p.timeDeltas[i] ?? 0) / 1000;
    at += dt;
    const node = byId.get(id)!;
    if (timeline && node.callFrame.functionName !== '(idle)') buckets[Math.floor(at / 500)] = (buckets[Math.floor(at / 500)] ?? 0) + dt;
    if (at < fromMs || at > toMs) return;
    all += dt;
    self.set(label(node), (self.get(label(node)) ?? 0) + dt);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const l = label(byId.get(cur)!);
      if (!seen.has(l)) total.set(l, (total.get(l) ?? 0) + dt);
      seen.add(l);
    }
  });
  const idle = self.get('(idle) :0') ?? 0;
  console.log(`\n${file}: ${(all / 1000).toFixed(1)} s profiled, ${((all - idle) / 1000).toFixed(2)} s busy`);
  if (timeline) {
    console.log(`  busy ms per 0.5 s: ${Array.from(buckets, (b) => (b ?? 0).toFixed(0)).join(' ')}`);
    continue;
  }
  const show = (title: string, m: Map<string, number>) => {
    console.log(`  ${title}`);
    [...m].filter(([k]) => !k.startsWith('(idle)') && !k.startsWith('(root)') && !k.startsWith('(program)'))
      .sort((a, b) => b[1] - a[1]).slice(0, top)
      .forEach(([k, ms]) => console.log(`    ${ms.toFixed(0).padStart(7)} ms ${((ms / (all - idle)) * 100).toFixed(1).padStart(5)}%  ${k}`));
  };
  show('self time', self);
  show('inclusive time', total);
}
