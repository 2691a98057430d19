import type { BotRoster } from './roster.ts';
import type { Sealer } from './sealing.ts';

/** The outbound guard's part the bots use (src/outbound/, shared with Web Push). */
export interface GuardedClient {
  /** Why an URL may not be reached, or null. */
  refusal(url: string): Promise<string | null>;
  post(url: string, init: { headers?: Record<string, string>; body?: Buffer | string }): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>;
}

/** What a replica holds for bots; server.ts builds it. */
export interface BotsKit {
  sealer: Sealer;
  roster: BotRoster;
  outbound: GuardedClient;
}
