import { Agent, request } from 'node:http';
import { bodyFor } from './ledger.ts';
import { pick } from './writers.ts';

export type Kind = 'message' | 'edit' | 'reaction';

/** One post, edit or reaction the bench sent: every accepted one is an event every stream of its room must get once. */
export interface Op { kind: Kind; seq: number; room: string; replica: number; sentAt: number; status: number }

export interface MixSample { kind: Kind; sentAt: number; latency: number }

/** What the mix sent, keyed `kind:seq` (seq: the post's number, which its edit and reaction share). */
export class MixLedger {
  ops = new Map<string, Op>();
  /** Message id (from the POST's answer) to the post's number. */
  seqById = new Map<string, number>();
  samples: MixSample[] = [];
  pending = 0;

  arrived(key: string, streamReplica: number, at: number): void {
    const op = this.ops.get(key);
    if (op && op.replica !== streamReplica) this.samples.push({ kind: op.kind, sentAt: op.sentAt, latency: at - op.sentAt });
  }

  accepted(): Op[] {
    return [...this.ops.values()].filter((o) => o.status >= 200 && o.status < 300);
  }
}

interface Posted { seq: number; id: string; room: string; cookie: string }

/** Posts, then edits each post once (as its author) and reacts to it once (as anyone), at a fixed rate of operations. */
export class MixWriters {
  private agents: Agent[];
  private seq = 0;
  private toEdit: Posted[] = [];
  private toReact: Posted[] = [];

  constructor(private bases: string[], private cookies: string[], private ledger: MixLedger) {
    this.agents = bases.map(() => new Agent({ keepAlive: true, maxSockets: 64 }));
  }

  private send(op: Op, method: string, path: string, cookie: string, payload: object): Promise<{ message: { id: string | number } } | null> {
    const text = JSON.stringify(payload);
    this.ledger.ops.set(`${op.kind}:${op.seq}`, op);
    this.ledger.pending++;
    return new Promise((resolve) => {
      const req = request(new URL(path, this.bases[op.replica]), {
        method, agent: this.agents[op.replica],
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), cookie },
      }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => {
          op.status = res.statusCode ?? -1;
          this.ledger.pending--;
          resolve(op.status < 300 ? (JSON.parse(body) as { message: { id: string | number } }) : null);
        });
      });
      req.on('error', () => {
        op.status = -1;
        this.ledger.pending--;
        resolve(null);
      });
      req.end(text);
    });
  }

  private op(kind: Kind, seq: number, room: string): Op {
    return { kind, seq, room, replica: Math.floor(Math.random() * this.bases.length), sentAt: performance.now(), status: 0 };
  }

  async post(room: string): Promise<void> {
    const seq = this.seq++;
    const cookie = pick(this.cookies);
    const answer = await this.send(this.op('message', seq, room), 'POST', `/rooms/${room}/messages`, cookie, { body: bodyFor(seq) });
    if (!answer) return;
    const posted = { seq, id: String(answer.message.id), room, cookie };
    this.ledger.seqById.set(posted.id, seq);
    this.toEdit.push(posted);
    this.toReact.push(posted);
  }

  async edit(p: Posted): Promise<void> {
    await this.send(this.op('edit', p.seq, p.room), 'PATCH', `/api/rooms/${p.room}/messages/${p.id}`, p.cookie, { body: `${bodyFor(p.seq)} edited` });
  }

  async react(p: Posted): Promise<void> {
    await this.send(this.op('reaction', p.seq, p.room), 'POST', `/api/rooms/${p.room}/messages/${p.id}/reactions`, pick(this.cookies), { emoji: '👍' });
  }

  /** Open loop: a third each of posts, edits and reactions (posts when nothing waits for an edit or reaction). */
  async run(rate: number, seconds: number, rooms: string[], maxInFlight = 2000): Promise<{ skipped: number }> {
    const started = performance.now();
    let sent = 0;
    let skipped = 0;
    while (performance.now() < started + seconds * 1000) {
      const due = Math.floor(((performance.now() - started) / 1000) * rate);
      for (; sent < due; sent++) {
        if (this.ledger.pending >= maxInFlight) skipped++;
        else if (sent % 3 === 1 && this.toEdit.length > 0) void this.edit(this.toEdit.shift()!);
        else if (sent % 3 === 2 && this.toReact.length > 0) void this.react(this.toReact.shift()!);
        else void this.post(pick(rooms));
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    return { skipped };
  }

  close(): void {
    for (const a of this.agents) a.destroy();
  }
}
