import postgres from 'postgres';

export type Sql = postgres.Sql;

export interface ConnectOptions {
  max?: number;
  /** Milliseconds a query may wait for the database before it fails; posts answer 503 then. */
  timeoutMs?: number;
  /** Shown in pg_stat_activity; the replica's name tells admins whose session it is. */
  name?: string;
  /** Seconds before a connection is renewed (plus up to a fifth at random); 1800 unless given. */
  lifetimeS?: number;
}

const closeListeners = new WeakMap<Sql, Set<() => void>>();

/** Calls `fn` whenever a connection of `sql`'s pool closes (renewed, ended by the server, lost). */
export function onConnectionClosed(sql: Sql, fn: () => void): () => void {
  let set = closeListeners.get(sql);
  if (!set) closeListeners.set(sql, (set = new Set()));
  set.add(fn);
  return () => void set.delete(fn);
}

// Session limits bound the harm a stuck client of ours can do: an open transaction holds every
// replica's stream back (see get_messages_after), so none of ours may stay open for long.
export function connect(url: string, opts: ConnectOptions = {}): Sql {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const sql: Sql = postgres(url, {
    max: opts.max ?? 10,
    connect_timeout: Math.ceil(timeoutMs / 1000),
    // Idle connections stay open: one closed in a quiet minute is opened again by the next burst,
    // which pays for it (about 18 ms, and every statement planned again) while posts queue
    // (issue 25). The pool is opened and readied before a replica takes traffic (src/db/warm.ts).
    idle_timeout: 0,
    // A connection is renewed, the driver ending it between queries, after its lifetime plus up
    // to a fifth at random, drawn per connection (the driver's own default is such a function,
    // though its types say number), so a pool opened at once is not renewed at once. The three-node stack
    // (stack.ha.yml) sets 50 s: a router draining for maintenance serves its connections for 80 s
    // (hard-stop-after) but takes no new ones, so by then each has ended cleanly, none cut mid-query.
    max_lifetime: (() => (opts.lifetimeS ?? 1800) * (1 + Math.random() / 5)) as unknown as number,
    // TCP keepalive after 10 s idle (the default is 60 s): a pooled connection whose far end
    // vanished (a node died or was cut off: stack.ha.yml) is found dead and replaced, not kept.
    keep_alive: 10,
    onnotice: () => {},
    onclose: () => {
      for (const fn of closeListeners.get(sql) ?? []) fn();
    },
    // The default backoff grows to 20 s between attempts while the database is down, and queries
    // wait for it: a post would hang. At most 1 s: answers stay quick and recovery prompt.
    backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 1),
    connection: {
      application_name: `chat ${opts.name ?? ''}`.trim().slice(0, 63),
      statement_timeout: timeoutMs,
      idle_in_transaction_session_timeout: 5000,
      lock_timeout: timeoutMs,
    },
  });
  return sql;
}
