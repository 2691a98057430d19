/**
 * Bytes that catching-up streams may have written and not yet seen drained, over the whole
 * replica. A stream takes its page's bytes before writing it and gives them back once the reader
 * has taken it, so 60 streams resuming at once write a few pages at a time, not 60 × 340 messages
 * in one go (issue 19: /healthz held for 2 s). One page is always allowed when nothing is in
 * flight, so a page larger than the budget still goes out.
 */
export class ByteBudget {
  private inFlight = 0;
  private waiting: Array<{ bytes: number; go: () => void }> = [];

  constructor(readonly limit: number) {}

  get used(): number {
    return this.inFlight;
  }

  async take(bytes: number): Promise<() => void> {
    if (this.waiting.length > 0 || (this.inFlight > 0 && this.inFlight + bytes > this.limit)) {
      await new Promise<void>((go) => this.waiting.push({ bytes, go }));
    } else {
      this.inFlight += bytes;
    }
    let given = false;
    return () => {
      if (given) return;
      given = true;
      this.inFlight -= bytes;
      this.admit();
    };
  }

  private admit(): void {
    while (this.waiting.length > 0) {
      const next = this.waiting[0]!;
      if (this.inFlight > 0 && this.inFlight + next.bytes > this.limit) return;
      this.waiting.shift();
      this.inFlight += next.bytes;
      next.go();
    }
  }
}

/** The longest prefix of `items` within `maxCount` items and `maxBytes` bytes (at least one item). */
export function pageOf<T extends { bytes: number }>(items: T[], maxCount: number, maxBytes: number): T[] {
  let bytes = 0;
  let n = 0;
  while (n < items.length && n < maxCount && (n === 0 || bytes + items[n]!.bytes <= maxBytes)) bytes += items[n++]!.bytes;
  return items.slice(0, n);
}
