// What rendering a message body costs: 10,000 typical chat messages through renderBody, each timed
// alone after a warm-up. Run with `npx tsx bench/markdown.ts`.
import { renderBody } from '../src/messages/markdown.ts';
import { WORDS } from './search-words.ts';

let seed = 7;
const rnd = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
const pick = <T>(list: readonly T[]) => list[Math.floor(Math.pow(rnd(), 2) * list.length)]!;
const sentence = (n: number) => Array.from({ length: n }, () => pick(WORDS)).join(' ');

/** Mostly plain sentences; some with emphasis, code, a link, a mention or a room; a few blocks. */
function typical(i: number): string {
  const text = sentence(3 + Math.floor(rnd() * 18));
  switch (i % 20) {
    case 0: return `**${sentence(2)}** ${text}`;
    case 1: return `${text} \`${pick(WORDS)}.${pick(WORDS)}()\``;
    case 2: return `${text} https://example.org/${pick(WORDS)}/${i}`;
    case 3: return `@${pick(['alice', 'bob', 'carol'])} ${text}`;
    case 4: return `${text} in #general`;
    case 5: return `\`\`\`\n${sentence(6)}\n${sentence(4)}\n\`\`\``;
    case 6: return `> ${sentence(8)}\n\n${text}`;
    case 7: return `- ${sentence(4)}\n- ${sentence(5)}\n- ${sentence(3)}`;
    case 8: return `${text}\n${sentence(6)}`;
    default: return text;
  }
}

const bodies = Array.from({ length: 10_000 }, (_, i) => typical(i));
const ctx = { roomExists: (slug: string) => slug === 'general' };
for (const b of bodies.slice(0, 2_000)) renderBody(b, ctx);
const micros = bodies.map((b) => {
  const started = process.hrtime.bigint();
  renderBody(b, ctx);
  return Number(process.hrtime.bigint() - started) / 1000;
}).sort((a, b) => a - b);
const at = (p: number) => micros[Math.min(micros.length - 1, Math.floor(p * micros.length))]!.toFixed(0);
const chars = bodies.reduce((n, b) => n + b.length, 0) / bodies.length;
console.log(`renderBody over ${bodies.length.toLocaleString('en')} typical messages (${chars.toFixed(0)} characters on average): median ${at(0.5)} µs, p90 ${at(0.9)} µs, p99 ${at(0.99)} µs`);
