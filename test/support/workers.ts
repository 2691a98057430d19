/**
 * How many test files run at once (vitest.config.ts), and so how many PostgreSQL clusters
 * global-setup.ts starts. Three at a time was faster (vitest 277-335 s) but failed a presence
 * test's one-heartbeat bound in 1 of 3 fresh-clone CI runs (load average 12 on two cores); the
 * timed files still run alone, after the rest.
 */
export const TEST_WORKERS = 2;
