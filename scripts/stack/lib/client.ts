// The test's way in, standing in for Traefik: it finds the app's tasks (host-mode ports on
// 127.0.0.1, or on each node's address in the three-node run), asks each /readyz every second,
// and spreads requests over the ready ones.
import { containersByNode, nodes, type Container } from './swarm.ts';
import { sleep } from './sh.ts';

export interface Target { host: string; port: number; task: string }

export class Balancer {
  private ready: Target[] = [];
  private next = 0;
  private running = false;
  /** Each node's last answer: an engine too busy to list its containers within 4 s keeps them. */
  private known: Container[][] = [];
  /** Per node, the listings its engine did not answer in time (a dead node's: every one). */
  readonly unanswered: number[] = [];

  constructor(private service: string) {}

  async refresh(): Promise<Target[]> {
    // As Traefik keeps its last view of the Swarm when the engine does not answer: dropping a
    // slow node's replicas would leave clients "no ready replica" while they serve. /readyz
    // below still decides who gets requests, so a dead node's replicas get none.
    const lists = await containersByNode(this.service);
    const found = lists.flatMap((list, i) => {
      if (list) return (this.known[i] = list);
      this.unanswered[i] = (this.unanswered[i] ?? 0) + 1;
      return this.known[i] ?? [];
    }).filter((c) => c.port !== null);
    const ok = await Promise.all(found.map((c) =>
      fetch(`http://${c.host}:${c.port}/readyz`, { signal: AbortSignal.timeout(1500) }).then((r) => r.ok, () => false)));
    this.ready = found.filter((_, i) => ok[i]).map((c) => ({ host: c.host, port: c.port!, task: c.task }));
    return this.ready;
  }

  start(): this {
    this.running = true;
    void (async () => {
      while (this.running) {
        await this.refresh().catch(() => {});
        await sleep(1000);
      }
    })();
    return this;
  }

  stop(): void {
    this.running = false;
  }

  /** "node1 40, node2 0, node3 2": listings each node's engine did not answer in time. */
  unansweredPerNode(): string {
    return nodes.map((n, i) => `${n.name} ${this.unanswered[i] ?? 0}`).join(', ');
  }

  pick(): Target | undefined {
    if (this.ready.length === 0) return undefined;
    return this.ready[this.next++ % this.ready.length];
  }

  url(path: string): string {
    const t = this.pick();
    if (!t) throw new Error('no ready replica');
    return `http://${t.host}:${t.port}${path}`;
  }
}

const cookieOf = (res: Response) => res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');

/** Registers the account (POST /users; older releases register on first sign-in) and returns its cookie. */
export async function signIn(bal: Balancer, name: string, password: string): Promise<string> {
  for (const path of ['/users', '/session']) {
    const res = await fetch(bal.url(path), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, password }),
      redirect: 'manual',
    });
    if (res.status === 404 || res.status === 405) continue;
    if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
    return cookieOf(res);
  }
  throw new Error('neither POST /users nor POST /session signs in');
}

export interface Posted { id: string; task: string }

/** One post as JSON; returns the message id, or the reason it was not accepted. */
export async function post(bal: Balancer, cookie: string, room: string, body: string): Promise<Posted | string> {
  const t = bal.pick();
  if (!t) return 'no ready replica';
  try {
    const res = await fetch(`http://${t.host}:${t.port}/rooms/${room}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({ body }),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    if (res.status !== 201) return `${res.status} from ${t.task}: ${text.slice(0, 120)}`;
    return { id: String((JSON.parse(text) as { message: { id: string | number } }).message.id), task: t.task };
  } catch (err) {
    return `${(err as Error).message} (${t.task})`;
  }
}
