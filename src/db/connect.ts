import postgres from 'postgres';

export type Sql = postgres.Sql;

export interface ConnectOptions {
  max?: number;
  /** Milliseconds a query may wait for the database before it fails; posts answer 503 then. */
  timeoutMs?: number;
  /** Shown in pg_stat_activity; the replica's name tells admins whose session it is. */
  name?: string;
}

// Session limits bound the harm a stuck client of ours can do: an open transaction holds every
// replica's stream back (see get_messages_after), so none of ours may stay open for long.
export function connect(url: string, opts: ConnectOptions = {}): Sql {
  const timeoutMs = opts.timeoutMs ?? 5000;
  return postgres(url, {
    max: opts.max ?? 10,
    connect_timeout: Math.ceil(timeoutMs / 1000),
    idle_timeout: 60,
    // A connection is replaced after 50-60 s (at random per pool, so replicas do not all renew
    // together), the driver ending it between queries. A router draining for maintenance
    // (stack.ha.yml) keeps serving its connections for 80 s (hard-stop-after) but takes no new
    // ones, so by then every connection through it has ended cleanly and none is cut mid-query.
    // The price: each connection is opened again once a minute (about 18 ms, and its statements
    // prepared again on first use), where 30 min held them.
    max_lifetime: 50 + Math.random() * 10,
    // TCP keepalive after 10 s idle (the default is 60 s): a pooled connection whose far end
    // vanished (a node died or was cut off: stack.ha.yml) is found dead and replaced, not kept.
    keep_alive: 10,
    onnotice: () => {},
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
}
