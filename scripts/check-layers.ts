// npm run check:layers: the floors of src/ as its imports draw them, the imports that run back up
// them, and any import circle. dependency-cruiser reads the imports (type-only ones too: they tie
// folders as much as the others); this file only groups them by folder and orders the folders.
import { cruise, type ICruiseResult } from 'dependency-cruiser';

/** At most this many file imports may run back up the floors (Documentation/architecture.md). */
const MAX_UPWARD = 4;

const { output } = await cruise(['src'], { tsPreCompilationDeps: true, includeOnly: '^src/' }, { extensions: ['.ts'] });
const modules = (output as ICruiseResult).modules;

// A folder of src/ (rooms/, web/) or a file at its top (server.ts) is one unit of the picture.
const unit = (path: string) => path.replace(/^src\//, '').replace(/\/.*$/, '/');
const edges = modules.flatMap((m) =>
  m.dependencies.filter((d) => d.resolved.startsWith('src/')).map((d) => ({
    from: m.source, to: d.resolved, type: d.dependencyTypes.includes('type-only'), circular: d.circular,
  })));
const between = edges.filter((e) => unit(e.from) !== unit(e.to));
const units = [...new Set(modules.map((m) => unit(m.source)))].sort();
const weight = (a: string, b: string, left: Set<string>) =>
  between.filter((e) => unit(e.from) === a && unit(e.to) === b && left.has(b)).length;

// Order the units top to bottom so that as few imports as possible point up (Eades, Lin and Smyth's
// greedy order, weighted by file imports): units nothing left imports go on top, units that import
// nothing left at the bottom, and when a circle blocks both, the unit with the most imports out.
const top: string[] = [];
const bottom: string[] = [];
const left = new Set(units);
const out = (u: string) => [...left].reduce((n, v) => n + (v === u ? 0 : weight(u, v, left)), 0);
const into = (u: string) => [...left].reduce((n, v) => n + (v === u ? 0 : weight(v, u, left)), 0);
while (left.size > 0) {
  const sink = [...left].find((u) => out(u) === 0);
  const source = [...left].find((u) => into(u) === 0);
  const pick = sink ?? source ?? [...left].sort((a, b) => out(b) - into(b) - (out(a) - into(a)))[0]!;
  if (pick === sink) bottom.unshift(pick);
  else top.push(pick);
  left.delete(pick);
}
// Then move single units to wherever fewer imports point up, until no move helps.
const upwardOf = (order: string[]) => {
  const rank = new Map(order.map((u, i) => [u, i]));
  return between.filter((e) => rank.get(unit(e.from))! > rank.get(unit(e.to))!);
};
let order = [...top, ...bottom];
for (let better = true; better;) {
  better = false;
  for (const u of units) {
    const rest = order.filter((v) => v !== u);
    const tries = rest.map((_, i) => [...rest.slice(0, i), u, ...rest.slice(i)]).concat([[...rest, u]]);
    const best = tries.reduce((a, b) => (upwardOf(b).length < upwardOf(a).length ? b : a), order);
    if (best !== order) [order, better] = [best, true];
  }
}
const rank = new Map(order.map((u, i) => [u, i]));
const upward = upwardOf(order);

// Floors: a unit stands one floor above the highest unit it imports downward.
const floor = new Map<string, number>();
for (const u of [...order].reverse()) {
  const below = between.filter((e) => unit(e.from) === u && rank.get(unit(e.to))! > rank.get(u)!).map((e) => floor.get(unit(e.to))!);
  floor.set(u, 1 + Math.max(0, ...below));
}
const floors = Math.max(...floor.values());
console.log(`Floors of src/ (top first), ${floors} in all:`);
for (let f = floors; f >= 1; f--) console.log(`  ${String(f).padStart(2)}  ${order.filter((u) => floor.get(u) === f).join('  ')}`);

console.log(`\nImports running back up the floors: ${upward.length} (at most ${MAX_UPWARD})`);
for (const e of upward) console.log(`  ${e.from} -> ${e.to}${e.type ? ' (type only)' : ''}`);

const circles = edges.filter((e) => e.circular);
console.log(`\nImport circles: ${circles.length === 0 ? 'none' : ''}`);
for (const e of circles) console.log(`  ${e.from} -> ${e.to} (part of a circle)`);

if (upward.length > MAX_UPWARD || circles.length > 0) process.exit(1);
