import type { SlackMessage } from './format.ts';

const key = (ts: string) => {
  const [s, f = ''] = ts.split('.');
  return BigInt(s!) * 1_000_000n + BigInt(f.padEnd(6, '0').slice(0, 6) || '0');
};
const byTs = (a: SlackMessage, b: SlackMessage) => {
  const d = key(a.ts) - key(b.ts);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
};

export const isReply = (m: SlackMessage) => m.thread_ts !== undefined && m.thread_ts !== m.ts;

/**
 * A channel's messages in time order, each thread's replies flattened right after their parent,
 * in their own time order. A reply whose parent is not in the export stays at its own time.
 */
export function inThreadOrder(messages: SlackMessage[]): SlackMessage[] {
  const sorted = [...messages].sort(byTs);
  const present = new Set(sorted.map((m) => m.ts));
  const replies = new Map<string, SlackMessage[]>();
  for (const m of sorted) {
    if (isReply(m) && present.has(m.thread_ts!)) {
      if (!replies.has(m.thread_ts!)) replies.set(m.thread_ts!, []);
      replies.get(m.thread_ts!)!.push(m);
    }
  }
  const out: SlackMessage[] = [];
  for (const m of sorted) {
    if (isReply(m) && present.has(m.thread_ts!)) continue;
    out.push(m, ...(replies.get(m.ts) ?? []));
  }
  return out;
}
