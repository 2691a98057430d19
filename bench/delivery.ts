import type { Ledger } from './ledger.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What the checks need of a stream reader, the chat's or the peer's. */
export interface Reader {
  readonly replica: number;
  readonly room: string;
  duplicates: number;
  outOfOrder: number;
  ended: boolean;
  count(seq: number): number;
  close(): void;
}

export interface Delivery { lost: number; duplicates: number; outOfOrder: number; ended: number }

/** Compares what each client got with the accepted posts for its room. */
export function checkDelivery(clients: Reader[], ledger: Ledger): Delivery {
  const byRoom = new Map<string, number[]>();
  for (const p of ledger.accepted()) {
    const list = byRoom.get(p.room) ?? [];
    list.push(p.seq);
    byRoom.set(p.room, list);
  }
  const d: Delivery = { lost: 0, duplicates: 0, outOfOrder: 0, ended: 0 };
  for (const c of clients) {
    for (const seq of byRoom.get(c.room) ?? []) if (c.count(seq) === 0) d.lost++;
    d.duplicates += c.duplicates;
    d.outOfOrder += c.outOfOrder;
    if (c.ended) d.ended++;
  }
  return d;
}

/** Waits until every client holds every accepted post of its room, or the time is up. */
export async function drain(clients: Reader[], ledger: Ledger, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (ledger.pending > 0 && performance.now() < deadline) await sleep(20);
  while (performance.now() < deadline && checkDelivery(clients, ledger).lost > 0) await sleep(100);
}
