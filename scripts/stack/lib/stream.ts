// An event stream as a browser's EventSource keeps it: when its replica ends it (shutdown) or
// dies, it reconnects through the balancer to any ready replica, sending Last-Event-ID.
import { readEvents, type ServerEvent } from '../../../src/sync/event-parser.ts';
import type { Balancer } from './client.ts';
import { sleep } from './sh.ts';

export class Stream {
  /** Message id -> how many times this stream received it. */
  readonly seen = new Map<string, number>();
  /** The replica (X-Replica) of each connection, in order. */
  readonly replicas: string[] = [];
  reloads = 0;
  private lastEventId: string | undefined;
  private abort = new AbortController();
  private done: Promise<void> | undefined;

  constructor(private bal: Balancer, private cookie: string, private room: string) {}

  get resumes(): number {
    return Math.max(0, this.replicas.length - 1);
  }

  /** Opens the stream; resolves once the first connection is answered. */
  async open(): Promise<void> {
    let connected!: () => void;
    const first = new Promise<void>((r) => (connected = r));
    this.done = this.loop(connected);
    await first;
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.done;
  }

  private async loop(connected: () => void): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      const t = this.bal.pick();
      if (t) {
        try {
          const res = await fetch(`http://${t.host}:${t.port}/rooms/${this.room}/events`, {
            headers: { cookie: this.cookie, accept: 'text/event-stream', ...(this.lastEventId ? { 'last-event-id': this.lastEventId } : {}) },
            signal,
          });
          if (res.ok && res.body) {
            this.replicas.push(res.headers.get('x-replica') ?? t.task);
            connected();
            await this.read(res.body);
          }
        } catch {
          // the replica went away mid-stream, or close() aborted it
        }
      }
      if (!signal.aborted) await sleep(300);
    }
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    for await (const e of readEvents(body)) this.event(e);
  }

  private event({ id, event: type, data }: ServerEvent): void {
    if (id) this.lastEventId = id;
    if (type === 'reload') this.reloads++;
    if (type !== 'message' || !data) return;
    const msgId = String((JSON.parse(data) as { id: string | number }).id);
    this.seen.set(msgId, (this.seen.get(msgId) ?? 0) + 1);
  }
}
