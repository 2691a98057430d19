// The three-node run's checks, in order, against the stack scripts/stack/ha/run.sh deployed.
//   tsx scripts/stack/ha/checks.ts <stack> <replicas> <summary-file>
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Ctx } from '../checks/setup.ts';
import { setUpHa } from './cluster.ts';
import * as nodes from './nodes.ts';
import * as primary from './primary.ts';

const [stack = 'stacktest', replicas = '3', summary = '/dev/null'] = process.argv.slice(2);
const root = fileURLToPath(new URL('../../..', import.meta.url));

const checks: Array<[string, (ctx: Ctx) => Promise<string>]> = [
  ['three nodes: the stack spread over three Swarm nodes, the database cluster healthy with its standbys in sync', nodes.threeNodes],
  ['node cut off: a node cut from the others for 30 s, then healed', nodes.cutOff],
  ['node killed: a node running app tasks stops at once; tasks rescheduled, streams resume, nothing lost or duplicated', nodes.killed],
  ['node drained: a node drained for maintenance under a steady writer, no request failed', nodes.drained],
  ['database primary lost: the node holding the primary killed under a steady writer; a standby takes over without an app restart', primary.primaryLost],
];

let passed = 0;
let failed = 0;
const secs = (since: number) => `${((Date.now() - since) / 1000).toFixed(0)} s`;
const t0 = Date.now();
let ctx: Ctx | undefined;
try {
  ctx = await setUpHa(stack, Number(replicas), root);
  console.log(`[checks] stack up on three nodes and signed in after ${secs(t0)}`);
} catch (err) {
  console.log(`FAIL the stack comes up on three nodes: ${(err as Error).message}`);
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
