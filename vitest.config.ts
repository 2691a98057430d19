import { defineConfig } from 'vitest/config';

// Tests that measure time under load (latency during an attack, a bystander's sign-in, database
// commits per second) run last, one file at a time, so another test file's work on the same two
// cores is not counted against them.
const TIMED = [
  'test/security/stream-attacks.test.ts',
  'test/accounts/load.test.ts',
  'test/accounts/sign-in.test.ts',
  'test/replicas/load.test.ts',
  'test/security/catch-up-load.test.ts',
  'test/files/thumbnail-load.test.ts',
];

export default defineConfig({
  test: {
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: more files at once only make the timing-sensitive ones slower.
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'main', include: ['test/**/*.test.ts'], exclude: TIMED, sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'timed', include: TIMED, fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
});
