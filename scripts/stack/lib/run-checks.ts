import { writeFileSync } from 'node:fs';
import type { Ctx } from '../checks/setup.ts';

export type Check = [title: string, run: (ctx: Ctx) => Promise<string>];

/**
 * Brings the stack up with `setUp`, runs the checks in order, and prints one line each:
 * `ok   <title> (<secs> s): <figures>` or `FAIL <title> ...` (the contract's format). Writes
 * "<passed> <failed>" to `summary` for the shell script's closing line; a stack that never came
 * up fails every check.
 */
export async function runChecks(o: { checks: Check[]; setUp: () => Promise<Ctx>; what: string; summary: string }): Promise<never> {
  let passed = 0;
  let failed = 0;
  const secs = (since: number) => `${((Date.now() - since) / 1000).toFixed(0)} s`;
  const t0 = Date.now();
  let ctx: Ctx | undefined;
  try {
    ctx = await o.setUp();
    console.log(`[checks] ${o.what} and signed in after ${secs(t0)}`);
  } catch (err) {
    console.log(`FAIL the ${o.what.replace(/^stack up/, 'stack comes up')}: ${(err as Error).message}`);
    failed = o.checks.length;
  }
  if (ctx) {
    for (const [name, run] of o.checks) {
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
    const unanswered = ctx.bal.unansweredPerNode();
    console.log(`[checks] ${ctx.accepted.size} posts accepted over all checks, in ${secs(t0)}${unanswered ? `; container listings an engine did not answer within 4 s (the balancer kept its last): ${unanswered}` : ''}`);
  }
  writeFileSync(o.summary, `${passed} ${failed}\n`);
  process.exit(0);
}
