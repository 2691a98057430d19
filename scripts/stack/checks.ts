// The stack test's checks, in order, against a deployed stack (scripts/stack/run.sh deploys it).
//   tsx scripts/stack/checks.ts <stack> <replicas> <summary-file>
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as backup from './checks/backup.ts';
import * as basics from './checks/basics.ts';
import * as resilience from './checks/resilience.ts';
import { setUp, type Ctx } from './checks/setup.ts';

const [stack = 'stacktest', replicas = '3', summary = '/dev/null'] = process.argv.slice(2);
const root = fileURLToPath(new URL('../..', import.meta.url));

const checks: Array<[string, (ctx: Ctx) => Promise<string>]> = [
  ['every task is healthy', basics.everyTaskHealthy],
  ['migrations applied once, as the owner, by the migrate job', basics.migratedOnceAsOwner],
  ['the app runs as chat_app and holds no owner URL', basics.runsAsChatApp],
  ['sign in, post and stream across replicas', basics.postAndStreamAcrossReplicas],
  ['database timeouts in force are the documented ones', basics.timeoutsInForce],
  ['Prometheus metrics and JSON logs from each replica', basics.metricsAndLogs],
  ['rolling update under a steady writer and open streams', resilience.rollingUpdate],
  ['SIGKILL of an app task: nothing lost, the others untouched', resilience.killAppTask],
  ['SIGKILL of PostgreSQL: accepted posts survive, replicas recover without a restart', resilience.killPostgres],
  ['a broken update rolls back by itself', resilience.brokenUpdateRollsBack],
  ['the PostgreSQL volume survives its task being replaced', resilience.volumeSurvives],
  ['backup and point-in-time restore: a table dropped by mistake, the volume destroyed, the database rebuilt from the repository alone', backup.backupAndRestore],
];

let passed = 0;
let failed = 0;
const secs = (since: number) => `${((Date.now() - since) / 1000).toFixed(0)} s`;
const t0 = Date.now();
let ctx: Ctx | undefined;
try {
  ctx = await setUp(stack, Number(replicas), root);
  console.log(`[checks] stack up and signed in after ${secs(t0)}`);
} catch (err) {
  console.log(`FAIL the stack comes up: ${(err as Error).message}`);
  failed = checks.length;
}
if (ctx) {
  for (const [name, run] of checks) {
    const started = Date.now();
    try {
      const said = await run(ctx);
      passed++;
      console.log(`ok   ${name} (${secs(started)}): ${said}`);
    } catch (err) {
      failed++;
      console.log(`FAIL ${name} (${secs(started)}): ${(err as Error).message}`);
    }
  }
  ctx.bal.stop();
  console.log(`[checks] ${ctx.accepted.size} posts accepted over all checks, in ${secs(t0)}`);
}
writeFileSync(summary, `${passed} ${failed}\n`);
process.exit(0);
