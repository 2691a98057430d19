import { Agent, request } from 'node:http';
import { bodyFor, type Ledger } from './ledger.ts';

const PASSWORD = 'bench password';

/** Registers the name the first time (POST /users; 409 once taken), else signs in; returns the session cookie. */
export async function signIn(base: string, name: string): Promise<string> {
  const send = (path: string) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password: PASSWORD }) });
  let res = await send('/users');
  if (res.status === 409) res = await send('/session');
  if (res.status !== 200 && res.status !== 201) throw new Error(`sign-in of ${name} failed: ${res.status} ${await res.text()}`);
  return res.headers.getSetCookie().find((c) => c.startsWith('chat_session='))!.split(';')[0]!;
}

/** Posts through keep-alive connections, one pool per replica, recording every post in the ledger. */
export class Writers {
  private agents: Agent[];

  constructor(private bases: string[], private cookies: string[], private ledger: Ledger, maxSockets = 64) {
    this.agents = bases.map(() => new Agent({ keepAlive: true, maxSockets }));
  }

  /** Sends one post to a random replica (or the given one); resolves when it is answered. */
  post(room: string, cookie = pick(this.cookies), replica = Math.floor(Math.random() * this.bases.length)): Promise<void> {
    const p = this.ledger.open(room, replica);
    const payload = JSON.stringify({ body: bodyFor(p.seq) });
    return new Promise((resolve) => {
      const url = new URL(`/rooms/${room}/messages`, this.bases[replica]);
      const req = request(url, {
        method: 'POST',
        agent: this.agents[replica],
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), cookie },
      }, (res) => {
        res.resume();
        res.on('end', () => {
          this.ledger.done(p, res.statusCode ?? -1);
          resolve();
        });
      });
      req.on('error', () => {
        if (p.status === 0) this.ledger.done(p, -1);
        resolve();
      });
      req.end(payload);
    });
  }

  /**
   * Open loop: posts at `rate` per second for `seconds`, to random rooms and replicas, whatever the
   * answers do. Beyond `maxInFlight` unanswered posts it skips sends and counts them.
   */
  async steady(rate: number, seconds: number, rooms: string[], maxInFlight = 3000): Promise<{ skipped: number }> {
    const started = performance.now();
    const end = started + seconds * 1000;
    let sent = 0;
    let skipped = 0;
    while (performance.now() < end) {
      const due = Math.floor(((performance.now() - started) / 1000) * rate);
      for (; sent < due; sent++) {
        if (this.ledger.pending >= maxInFlight) skipped++;
        else void this.post(pick(rooms));
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    return { skipped };
  }

  /** `writers` writers post `total` messages between them, each keeping `perWriter` posts in flight. */
  async burst(total: number, room: string, perWriter: number): Promise<void> {
    let left = total;
    const lane = async (cookie: string) => {
      while (left > 0) {
        left--;
        await this.post(room, cookie);
      }
    };
    await Promise.all(this.cookies.flatMap((cookie) => Array.from({ length: perWriter }, () => lane(cookie))));
  }

  close(): void {
    for (const a of this.agents) a.destroy();
  }
}

export function pick<T>(list: T[]): T {
  return list[Math.floor(Math.random() * list.length)]!;
}
