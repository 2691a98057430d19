/**
 * How many test files run at once (vitest.config.ts), and so how many PostgreSQL clusters
 * global-setup.ts starts. Two at a time left a core idle for much of the run (vitest 347 s in CI,
 * three: 277-335 s); four was slower. The files that measure time under load, the presence
 * heartbeats among them, run alone after the rest.
 */
export const TEST_WORKERS = 3;
