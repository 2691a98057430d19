/** What the bench sent and what its clients received, for latency, loss and duplicate counts. */
export interface Post {
  seq: number;
  room: string;
  replica: number;
  sentAt: number;
  doneAt: number;
  /** HTTP status; 0 while in flight, -1 on a network error. */
  status: number;
  /** Arrivals on clients that count for latency (other replicas' clients, or all with one replica). */
  deliveries: number;
  firstAt: number;
  lastAt: number;
}

export interface Sample { sentAt: number; latency: number }

export class Ledger {
  posts: Post[] = [];
  samples: Sample[] = [];
  /** Posts sent and not yet answered. */
  pending = 0;
  replicas: number;

  constructor(replicas: number) {
    this.replicas = replicas;
  }

  /** Bodies carry the sequence number, so an event can be matched before the POST answers. */
  open(room: string, replica: number): Post {
    const post: Post = { seq: this.posts.length, room, replica, sentAt: performance.now(), doneAt: 0, status: 0, deliveries: 0, firstAt: 0, lastAt: 0 };
    this.posts.push(post);
    this.pending++;
    return post;
  }

  /** Called on the first copy of a message a client gets. */
  arrived(seq: number, clientReplica: number, at: number): void {
    const post = this.posts[seq];
    if (!post) return;
    if (this.replicas > 1 && clientReplica === post.replica) return;
    post.deliveries++;
    if (post.firstAt === 0) post.firstAt = at;
    post.lastAt = at;
    this.samples.push({ sentAt: post.sentAt, latency: at - post.sentAt });
  }

  accepted(): Post[] {
    return this.posts.filter((p) => p.status === 201);
  }

  done(post: Post, status: number): void {
    post.status = status;
    post.doneAt = performance.now();
    this.pending--;
  }
}

export const bodyFor = (seq: number) => `bench ${seq}`;
const BODY = /"body":"bench (\d+)"/;
export const seqOf = (data: string): number | null => {
  const m = BODY.exec(data);
  return m ? Number(m[1]) : null;
};
