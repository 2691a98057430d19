/**
 * How many test files run at once (vitest.config.ts), and so how many PostgreSQL clusters
 * global-setup.ts starts. Most of a test's time is spent waiting on servers and timers, so three
 * files at a time keep two cores busy; the timed files still run alone, after the rest.
 */
export const TEST_WORKERS = 3;
