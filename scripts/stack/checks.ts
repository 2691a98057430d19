// The stack test's checks, in order, against a deployed stack (scripts/stack/run.sh deploys it).
//   tsx scripts/stack/checks.ts <stack> <replicas> <summary-file>
import { fileURLToPath } from 'node:url';
import { runChecks, type Check } from './lib/run-checks.ts';
import * as backup from './checks/backup.ts';
import * as basics from './checks/basics.ts';
import * as resilience from './checks/resilience.ts';
import { setUp } from './checks/setup.ts';

const [stack = 'stacktest', replicas = '3', summary = '/dev/null'] = process.argv.slice(2);
const root = fileURLToPath(new URL('../..', import.meta.url));

const checks: Check[] = [
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

await runChecks({ checks, setUp: () => setUp(stack, Number(replicas), root), what: 'stack up', summary });
