import { bodyFor, type Ledger } from '../ledger.ts';
import { pick, Writers } from '../writers.ts';
import { PeerSocket } from './client.ts';

/** The bench's writers over Socket.IO: one socket per writer per node; an acknowledged post is a 201. */
export class PeerWriters extends Writers {
  constructor(private nodes: string[], private tokens: string[], private sockets: PeerSocket[][], private book: Ledger) {
    super(nodes, tokens, book, 1);
  }

  static async connect(nodes: string[], tokens: string[], ledger: Ledger): Promise<PeerWriters> {
    const sockets = await Promise.all(tokens.map((t) => Promise.all(nodes.map(async (n) => {
      const s = new PeerSocket(() => {});
      await s.connect(n, t);
      return s;
    }))));
    return new PeerWriters(nodes, tokens, sockets, ledger);
  }

  override post(room: string, token = pick(this.tokens), replica = Math.floor(Math.random() * this.nodes.length)): Promise<void> {
    const p = this.book.open(room, replica);
    const socket = this.sockets[this.tokens.indexOf(token)]![replica]!;
    return socket.emit('post', { room, body: bodyFor(p.seq) }).then((ack) => this.book.done(p, ack?.message ? 201 : ack ? 500 : -1));
  }

  override close(): void {
    for (const row of this.sockets) for (const s of row) s.close();
    super.close();
  }
}
