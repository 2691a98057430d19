import { defineConfig } from 'vitest/config';
import { LongestFirst } from './test/support/sequencer.ts';
import { TEST_WORKERS } from './test/support/workers.ts';

// Tests that measure time under load (latency during an attack, a bystander's sign-in, database
// commits per second, heartbeats) run last, one file at a time, so another test file's work on the same two
// cores is not counted against them.
const TIMED = [
  'test/security/stream-attacks.test.ts',
  'test/accounts/load.test.ts',
  'test/accounts/sign-in.test.ts',
  'test/replicas/load.test.ts',
  'test/security/catch-up-load.test.ts',
  'test/files/thumbnail-load.test.ts',
  // Heartbeats of half a second and a lease of 1.25 s: beside three busy files a beat came late
  // and a person vanished from a page (1 of 3 CI runs).
  'test/presence/here-now.test.ts',
];

export default defineConfig({
  test: {
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // A worker runs its files one after another in one module graph: the app's modules are loaded
    // once per worker, not once per file (about 1 s each). Nothing in src/ acts on import
    // (DESIGN.md), and each file starts its own servers over its own database.
    isolate: false,
    maxWorkers: TEST_WORKERS,
    sequence: { sequencer: LongestFirst },
    projects: [
      { extends: true, test: { name: 'main', include: ['test/**/*.test.ts'], exclude: TIMED, sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'timed', include: TIMED, fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
});
