import { Logger as WorkerLogger, run, runMigrations, type Runner, type Task } from 'graphile-worker';
import type { Logger } from '../ops/log.ts';

/**
 * The durable job queue: graphile-worker, in PostgreSQL (schema graphile_worker). Jobs are rows, so
 * they survive any replica; workers on every replica take them (LISTEN/NOTIFY wakes them, a poll
 * covers a lost notification), a failed job is retried with exponential back-off, and a job's key
 * makes adding it twice a no-op. Documentation/outbox.md.
 */

export type TaskHandler = (payload: unknown, job: { id: string; attempts: number; maxAttempts: number; key: string | null }) => Promise<void>;

const quiet = new WorkerLogger(() => () => {});

function workerLogger(log: Logger): WorkerLogger {
  return new WorkerLogger(() => (level, message) => {
    if (level === 'error') log.error(`queue: ${message}`);
    else if (level === 'warning') log.warn(`queue: ${message}`);
    else log.debug(`queue: ${message}`);
  });
}

/** Installs or updates the queue's schema; the migrate step runs it as the owner, before sql/grants.sql. */
export async function migrateQueue(databaseUrl: string): Promise<void> {
  await runMigrations({ connectionString: databaseUrl, maxPoolSize: 1, logger: quiet });
}

export interface Workers {
  stop(): Promise<void>;
}

export interface WorkerOptions {
  databaseUrl: string;
  tasks: Record<string, TaskHandler>;
  log: Logger;
  /** Jobs run at once on this replica. */
  concurrency?: number;
  /** How often to look for jobs when no notification came. */
  pollIntervalMs?: number;
}

/** Runs the jobs of these tasks on this replica until stop(); signals stay the entry file's. */
export async function startWorkers(o: WorkerOptions): Promise<Workers> {
  const taskList: Record<string, Task> = {};
  for (const [name, handler] of Object.entries(o.tasks)) {
    taskList[name] = (payload, helpers) =>
      handler(payload, { id: String(helpers.job.id), attempts: helpers.job.attempts, maxAttempts: helpers.job.max_attempts, key: helpers.job.key ?? null });
  }
  const concurrency = o.concurrency ?? 4;
  const runner: Runner = await run({
    connectionString: o.databaseUrl,
    maxPoolSize: concurrency + 2,
    concurrency,
    pollInterval: o.pollIntervalMs ?? 2000,
    noHandleSignals: true,
    logger: workerLogger(o.log),
    taskList,
  });
  return {
    async stop() {
      await runner.stop().catch((err: Error) => o.log.warn('queue: stop failed', { error: err.message }));
    },
  };
}
