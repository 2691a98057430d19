// A steady writer and open streams, and the tally the stack test reports.
import { post, type Balancer } from './client.ts';
import { sleep, until } from './sh.ts';
import { Stream } from './stream.ts';

export interface Tally { accepted: number; failed: number; lost: number; duplicated: number; resumed: number; reloads: number; failures: string[]; kinds: string }

export class Load {
  readonly accepted = new Set<string>();
  /** When each accepted post was sent and when its answer came (ms since the epoch). */
  readonly acceptedAt: { sent: number; done: number }[] = [];
  readonly failures: string[] = [];
  readonly streams: Stream[] = [];
  private writing = false;
  private writer: Promise<void> | undefined;

  constructor(private bal: Balancer, private cookie: string, private tag: string, private room = 'general') {}

  async openStreams(n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      const s = new Stream(this.bal, this.cookie, this.room);
      await s.open();
      this.streams.push(s);
    }
  }

  /** One post every gapMs: under the app's 20 posts per 10 s per person. */
  startWriting(gapMs = 600): void {
    this.writing = true;
    this.writer = (async () => {
      for (let n = 1; this.writing; n++) {
        const started = Date.now();
        const r = await post(this.bal, this.cookie, this.room, `${this.tag}-${n}`);
        if (typeof r === 'string') this.failures.push(r);
        else {
          this.accepted.add(r.id);
          this.acceptedAt.push({ sent: started, done: Date.now() });
        }
        await sleep(Math.max(0, gapMs - (Date.now() - started)));
      }
    })();
  }

  async stopWriting(): Promise<void> {
    this.writing = false;
    await this.writer;
  }

  /** Waits (at most waitMs) for every stream to hold every accepted post, closes them, and counts. */
  async finish(waitMs = 20_000): Promise<Tally> {
    await this.stopWriting();
    const complete = () => this.streams.every((s) => [...this.accepted].every((id) => s.seen.has(id)));
    await until('every stream to receive every accepted post', () => Promise.resolve(complete()), waitMs, 250).catch(() => {});
    await Promise.all(this.streams.map((s) => s.close()));
    let lost = 0;
    let duplicated = 0;
    for (const s of this.streams) {
      for (const id of this.accepted) if (!s.seen.has(id)) lost++;
      for (const times of s.seen.values()) if (times > 1) duplicated += times - 1;
    }
    return {
      accepted: this.accepted.size,
      failed: this.failures.length,
      lost,
      duplicated,
      resumed: this.streams.reduce((n, s) => n + s.resumes, 0),
      reloads: this.streams.reduce((n, s) => n + s.reloads, 0),
      failures: this.failures.slice(0, 5),
      kinds: kinds(this.failures),
    };
  }
}

/** Failures counted by kind, the replica's name and numbers left out: "no ready replica ×12, 503 from app: {...} ×3". */
function kinds(failures: string[]): string {
  const n = new Map<string, number>();
  for (const f of failures) {
    const k = f.replace(/ from \S+:/, ':').replace(/ \(\S+\)$/, '').replace(/\d+ ms/g, 'N ms').slice(0, 80);
    n.set(k, (n.get(k) ?? 0) + 1);
  }
  return [...n].sort((a, b) => b[1] - a[1]).map(([k, c]) => `${k} ×${c}`).join(', ');
}

export const figures = (t: Tally) =>
  `${t.accepted} posts accepted, ${t.failed} failed requests${t.failed ? ` (${t.kinds})` : ''}, ${t.lost} lost, ${t.duplicated} duplicated, ${t.resumed} stream resumes`;
