import type { Server } from 'node:http';
import { loadConfig, type Config } from '../../src/config.ts';
import { DEV_METRICS_TOKEN } from '../../src/dev/cluster.ts';
import { connect, type Sql } from '../../src/db/connect.ts';
import { silentLogger } from '../../src/ops/log.ts';
import { createChat, listen, type Chat } from '../../src/server.ts';

export interface Replica {
  url: string;
  chat: Chat;
  sql: Sql;
  server: Server;
  close(): Promise<void>;
}

let counter = 0;

/** A whole replica in this process: its own pool, poller and HTTP server on a random port. */
export async function startReplica(databaseUrl: string, overrides: Partial<Config> = {}): Promise<Replica> {
  const config: Config = {
    ...loadConfig({}),
    host: '127.0.0.1',
    port: 0,
    databaseUrl,
    replicaName: `test-${++counter}`,
    pollIntervalMs: 50,
    // Tests register freely and sign in many times from 127.0.0.1; tests of these pass their own.
    registration: 'open',
    registrationChallenge: false,
    rateLimitRegister: null,
    rateLimitSigninAddress: null,
    // Web Push runs queue workers on every replica; the tests of push turn it on (test/push/).
    // Test accounts hash at 2^10, not 2^15 (642 ms → 13 ms each here); the timing tests of
    // sign-in ask for the real cost.
    passwordHashCost: 10,
    push: false,
    // Outgoing webhooks run queue workers on every replica too; the bots' tests turn them on (test/bots/).
    webhooks: false,
    metricsToken: DEV_METRICS_TOKEN,
    ...overrides,
  };
  const sql = connect(databaseUrl, { name: config.replicaName });
  const chat = createChat(config, sql, silentLogger);
  await chat.start();
  const server = await listen(chat, 0, '127.0.0.1');
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    chat,
    sql,
    server,
    async close() {
      await chat.stop();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await sql.end({ timeout: 1 });
    },
  };
}
