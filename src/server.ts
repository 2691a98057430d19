import { createServer, type Server } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { createApp } from './web/app.ts';
import { botsKind } from './bots/kind.ts';
import { BotRoster } from './bots/roster.ts';
import { createSealer } from './bots/sealing.ts';
import { WEBHOOK_TIMEOUT_MS } from './bots/webhook-task.ts';
import { createOutbound } from './outbound/guard.ts';
import { startHousekeeping } from './accounts/housekeeping.ts';
import type { Config } from './config.ts';
import type { Sql } from './db/connect.ts';
import type { Deps } from './web/deps.ts';
import type { Logger } from './ops/log.ts';
import { Metrics } from './ops/metrics.ts';
import { Presence } from './presence/presence.ts';
import { RoomRegistry } from './rooms/registry.ts';
import { createImageProcess } from './files/image-process.ts';
import { Hub } from './sync/hub.ts';
import { roomPage } from './messages/history.ts';
import { cachedRender } from './messages/render-cache.ts';
import { messageEvent } from './sync/log.ts';
import { createNotifier } from './sync/notify.ts';
import { createPoller } from './sync/poller.ts';
import { Streams } from './sync/streams.ts';
import { createViews } from './web/views.ts';
import { attachToEvents } from './files/link.ts';
import { metricsRoutes } from './web/ops-routes.ts';
import { createOutbox, type Outbox } from './outbox/outbox.ts';
import { pushKind } from './push/kind.ts';
import { createTyping } from './typing/typing.ts';
import { createPoolWarmer } from './db/warm.ts';
import { warmRequestStatements } from './web/warm-statements.ts';

// Messages per room loaded into memory at start-up: enough for browsers reconnecting after a restart.
const SEED_SIZE = 200;
const FULL_REFRESH_MS = 30_000;
// Often enough that a renewed connection (DB_CONNECTION_LIFETIME_S) is readied soon; each round holds
// the pool for one round trip.
const POOL_WARM_MS = 15_000;

export interface Chat extends Deps {
  app: ReturnType<typeof createApp>;
  /** Outbound work (Web Push): queue workers and the log's dispatcher (src/outbox/). */
  outbox: Outbox;
  /** Loads the rooms and the stream head, then starts the poll loop. */
  start(): Promise<void>;
  /** Ends the streams and stops the poll loop; the caller owns and closes `sql`. */
  stop(): Promise<void>;
}

/** Wires one replica together. Nothing here listens or polls until start(). */
export function createChat(config: Config, sql: Sql, log: Logger): Chat {
  // #slug links only to rooms every member may read: a body is rendered once for all its readers.
  const bots = new BotRoster(sql);
  const views = createViews({ roomExists: (slug) => rooms.get(slug)?.kind === 'open' || rooms.get(slug)?.public === true }, (name) => bots.has(name));
  const metrics = new Metrics({ replica: config.replicaName });
  const hub = new Hub({
    render: cachedRender(views.message), isBot: (name) => bots.has(name), capacity: config.feedCapacity, maxBytes: config.feedBytes,
    roomGone: (id) => rooms.deleted(id) !== undefined,
  });
  const rooms = new RoomRegistry(sql);
  const streams = new Streams({
    hub, sql, rooms, log,
    limits: { catchUpMax: config.catchUpMax, perUser: config.streamLimitUser, perAddress: config.streamLimitAddress },
  });
  let lastFullRefresh = 0;
  const poller = createPoller({
    sql, hub, log, metrics,
    intervalMs: config.pollIntervalMs,
    listen: config.syncNotify,
    wakeGapMaxMs: config.pollWakeGapMs,
    lagWarnMs: config.syncLagWarnMs,
    // Changes travel the stream; a full reload now and then also catches rows deleted by hand.
    onTick: async () => {
      if (Date.now() - lastFullRefresh < FULL_REFRESH_MS) return;
      lastFullRefresh = Date.now();
      await rooms.refresh();
    },
    onChanges: async (changes) => {
      const roomIds = new Set<number>();
      const users = new Set<string>();
      for (const ch of changes) {
        if (ch.roomId !== null) roomIds.add(ch.roomId);
        if (ch.userId !== null) users.add(ch.userId);
      }
      if (roomIds.size > 0) await rooms.refresh([...roomIds]);
      // A new bot's name is known before its first message is rendered (its change comes first).
      if (users.size > 0) await bots.refresh();
      await streams.revalidate(users);
    },
    onStart: async () => {
      await bots.refresh();
      const upToHead = { tx: hub.head.tx, id: hub.head.id + 1n };
      for (const room of rooms.all()) {
        const rows = await roomPage(sql, room.slug, upToHead, SEED_SIZE);
        const events = rows.map((r) => messageEvent(r, room.id));
        await attachToEvents(sql, events);
        hub.seed(room.slug, events, rows.length < SEED_SIZE);
      }
      hub.startAll();
    },
  });
  const notifier = createNotifier(sql, config.syncNotify, log);
  const lifecycle = { shuttingDown: false };
  metrics.collect(() => {
    metrics.set('chat_open_streams', 'Open event streams on this replica', streams.size);
    metrics.set('chat_sync_lag_ms', 'How long the oldest committed message not yet handed out has waited', poller.lagMs());
    metrics.set('chat_last_poll_age_ms', 'Milliseconds since the last successful poll', Math.min(poller.sinceLastPoll(), 1e9));
    metrics.set('chat_messages_delivered', 'Message deliveries to streams so far (messages x streams)', hub.delivered);
    metrics.set('chat_ready', '1 while this replica takes traffic', lifecycle.shuttingDown || !pool.ready ? 0 : 1);
  });
  const presence = new Presence({ sql, streams, rooms, log, metrics, replica: config.replicaName, intervalMs: config.presenceIntervalMs });
  const typing = createTyping({ sql, streams, rooms, log, enabled: config.syncNotify });
  const botsKit = { roster: bots, sealer: createSealer(sql, config.botsSecretKey), outbound: createOutbound({ allow: config.outboundAllow, timeoutMs: WEBHOOK_TIMEOUT_MS }) };
  const images = createImageProcess({ log });
  const pool = createPoolWarmer({
    sql, log, intervalMs: POOL_WARM_MS, paused: () => poller.failing(),
    prepare: async (conn) => {
      await poller.prepare(conn);
      await warmRequestStatements(conn, config.rateLimitMessages);
    },
  });
  const deps: Deps = { config, sql, hub, rooms, streams, poller, notifier, views, log, metrics, lifecycle, pool, presence, typing, bots: botsKit, images };
  const app = createApp(deps);
  const outbox = createOutbox({
    databaseUrl: config.databaseUrl, sql, log, metrics, head: () => hub.head, staleAfterMs: config.outboxStaleAfterMs,
    kinds: [
      ...(config.push ? [pushKind({ sql, config, log, metrics })] : []),
      // Outgoing webhooks (src/bots/kind.ts, Documentation/bots.md).
      ...(config.webhooks ? [botsKind({ sql, rooms, sealer: botsKit.sealer, outbound: botsKit.outbound, replyLimit: config.rateLimitBotMessages, hint: () => notifier.hint(), log, metrics })] : []),
    ],
  });
  let stopHousekeeping = async () => {};
  return {
    ...deps,
    app,
    outbox,
    async start() {
      await poller.start();
      // Traffic comes once the whole pool is open and readied (/readyz; main listens after start()).
      if (!(await pool.warm())) log.warn('the database pool was busy: it is readied in the background');
      pool.start();
      await presence.start();
      await outbox.start();
      await typing.start();
      stopHousekeeping = startHousekeeping({ sql, config, log });
    },
    async stop() {
      await pool.stop();
      await stopHousekeeping();
      lifecycle.shuttingDown = true;
      streams.closeAll();
      await presence.stop();
      await outbox.stop();
      await typing.stop();
      await poller.stop();
      await images.close();
    },
  };
}

/** How long a client may take to send its request headers (slowloris): 30 s. */
export const HEADERS_TIMEOUT_MS = 30_000;

/** The HTTP server of a replica: the app on `port`, or with `metricsOnly` just /metrics (METRICS_PORT). */
export function listen(chat: Chat, port: number, host: string, opts: { metricsOnly?: boolean; headersTimeoutMs?: number } = {}): Promise<Server> {
  const headersTimeout = opts.headersTimeoutMs ?? HEADERS_TIMEOUT_MS;
  // Timeouts are checked every 5 s at most (Node's default is 30 s, which let slow headers live a minute).
  const server = createServer({ connectionsCheckingInterval: Math.min(5_000, Math.ceil(headersTimeout / 6)) }, getRequestListener(opts.metricsOnly ? metricsRoutes(chat).fetch : chat.app.fetch));
  // Longer than Traefik's idle timeout for backend connections (90 s), so the proxy never reuses a
  // connection this side has just closed.
  server.keepAliveTimeout = 95_000;
  // A client gets 30 s to send its headers and 120 s for the whole request (an upload at the size
  // limit on a slow link). Event streams are not cut: these time the request, not the answer.
  server.headersTimeout = headersTimeout;
  server.requestTimeout = 120_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      server.on('error', (err) => chat.log.error('server error', { error: err.message }));
      resolve(server);
    });
  });
}
