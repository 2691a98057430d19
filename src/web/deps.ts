import type { BotsKit } from '../bots/kit.ts';
import type { Config } from '../config.ts';
import type { Sql } from '../db/connect.ts';
import type { Logger } from '../ops/log.ts';
import type { Metrics } from '../ops/metrics.ts';
import type { Presence } from '../presence/presence.ts';
import type { RoomRegistry } from '../rooms/registry.ts';
import type { Hub } from '../sync/hub.ts';
import type { ImageProcess } from '../files/image-process.ts';
import type { Notifier } from '../sync/notify.ts';
import type { Poller } from '../sync/poller.ts';
import type { Streams } from '../sync/streams.ts';
import type { Typing } from '../typing/typing.ts';
import type { Views } from './views.ts';

/** What one replica is made of; the composition root (server.ts) builds it, routes take what they need. */
export interface Deps {
  config: Config;
  sql: Sql;
  hub: Hub;
  rooms: RoomRegistry;
  streams: Streams;
  poller: Poller;
  notifier: Notifier;
  views: Views;
  log: Logger;
  metrics: Metrics;
  presence: Presence;
  typing: Typing;
  /** Bots' secrets, the bot-name roster and the guarded outbound client (src/bots/). */
  bots: BotsKit;
  lifecycle: { shuttingDown: boolean };
  /** The database pool, open and readied for traffic (src/db/warm.ts); /readyz waits for it. */
  pool: { readonly ready: boolean };
  /** Thumbnails, made in a process of its own started on the first image (src/files/image-process.ts). */
  images: ImageProcess;
}
