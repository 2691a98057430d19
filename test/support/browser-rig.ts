import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Config } from '../../src/config.ts';
import { CHROMIUM, haveChromium, sharedBrowser } from './browser.ts';
import { freshDatabase } from './db.ts';
import { startReplica, type Replica } from './replica.ts';

/**
 * A describe block that needs Chromium. Without it the block is skipped with a warning, except
 * under CI (.ci/run installs Chromium), where it fails instead: the README's promise.
 */
export function describeInBrowser(name: string, body: () => void): void {
  if (haveChromium) {
    describe(name, body);
  } else if (process.env.CI) {
    describe(name, () => {
      it(`runs in Chromium (${CHROMIUM}), which .ci/run installs`, () => {
        throw new Error(`${CHROMIUM} is missing: .ci/run installs it (or set CHROMIUM_PATH)`);
      });
    });
  } else {
    console.warn(`\n!!! SKIPPING the browser tests of "${name}": ${CHROMIUM} is missing (apt-get install chromium) !!!\n`);
    describe.skip(name, body);
  }
}

/** What a browser test has once the rig's beforeAll ran: Chromium, the replicas, and their database. */
export interface BrowserRig {
  browser: Browser;
  replicas: Replica[];
  /** The database the replicas share ('' with separateDatabases). */
  db: string;
}

/**
 * Inside describeInBrowser: before the tests, the worker's Chromium and one replica per entry of `replicas`
 * (its settings), all over one fresh database, or one each with `separateDatabases`; after them,
 * everything stopped. Started side by side; if one part fails, the others are stopped too.
 */
export function withBrowserAndReplicas(replicas: Partial<Config>[] = [{}], opts: { separateDatabases?: boolean } = {}): BrowserRig {
  const rig: BrowserRig = { browser: undefined as unknown as Browser, replicas: [], db: '' };
  beforeAll(async () => {
    rig.db = opts.separateDatabases ? '' : await freshDatabase();
    const parts = await Promise.allSettled([
      sharedBrowser(),
      ...replicas.map(async (o) => startReplica(rig.db || (await freshDatabase()), o)),
    ]);
    for (const p of parts.slice(1)) if (p.status === 'fulfilled') rig.replicas.push(p.value as Replica);
    if (parts[0].status === 'fulfilled') rig.browser = parts[0].value;
    const failed = parts.find((p) => p.status === 'rejected');
    if (failed) throw failed.reason;
  });
  afterAll(async () => {
    // The worker's files share the browser and run one at a time: every context open now is this file's.
    await Promise.all((rig.browser?.contexts() ?? []).map((c) => c.close()));
    await Promise.all(rig.replicas.map((r) => r.close()));
  });
  return rig;
}

/** Inside describeInBrowser, for tests that start their own servers: Chromium alone. */
export function withBrowser(): { browser: Browser } {
  return withBrowserAndReplicas([]);
}

/** One test that needs Chromium, in a block that does not: skipped or failing as describeInBrowser. */
export function itInBrowser(name: string, fn: () => Promise<void>, timeoutMs?: number): void {
  if (haveChromium) it(name, fn, timeoutMs);
  else if (process.env.CI) it(name, () => { throw new Error(`${CHROMIUM} is missing: .ci/run installs it (or set CHROMIUM_PATH)`); });
  else it.skip(name, fn);
}
