// The three-node run's checks, in order, against the stack scripts/stack/ha/run.sh deployed.
//   tsx scripts/stack/ha/checks.ts <stack> <replicas> <summary-file>
import { fileURLToPath } from 'node:url';
import { runChecks, type Check } from '../lib/run-checks.ts';
import { backupsAfterFailover } from './backup.ts';
import { setUpHa } from './cluster.ts';
import * as nodes from './nodes.ts';
import * as primary from './primary.ts';

const [stack = 'stacktest', replicas = '3', summary = '/dev/null'] = process.argv.slice(2);
const root = fileURLToPath(new URL('../../..', import.meta.url));

const checks: Check[] = [
  ['three nodes: the stack spread over three Swarm nodes, the database cluster healthy with its standbys in sync', nodes.threeNodes],
  ['node cut off: a node cut from the others for 30 s, then healed', nodes.cutOff],
  ['node killed: a node running app tasks stops at once; tasks rescheduled, streams resume, nothing lost or duplicated', nodes.killed],
  ['node drained: a node drained for maintenance under a steady writer, no request failed', nodes.drained],
  ['database primary lost: the node holding the primary killed under a steady writer; a standby takes over without an app restart', primary.primaryLost],
  ['backups on three nodes: WAL archived by the new primary to the repository host, a backup from it, restored into a scratch instance with every accepted post', backupsAfterFailover],
];

await runChecks({ checks, setUp: () => setUpHa(stack, Number(replicas), root), what: 'stack up on three nodes', summary });
