// npm test: vitest, with the type check (tsc --noEmit) and the layer check (check:layers) running
// beside it rather than before it: they took 19 s of a five-minute run on two cores, where vitest
// leaves about half a core idle. Their output is held back and printed after vitest's, so the test
// report stays readable. Fails when any of the three fails. Arguments go to vitest.
import { spawn } from 'node:child_process';
import path from 'node:path';

const bin = (name: string) => path.join('node_modules', '.bin', name);

interface Done { name: string; code: number; output: string }

function run(name: string, cmd: string, args: string[], quiet: boolean): Promise<Done> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (err) => resolve({ name, code: 1, output: `${output}${err.message}\n` }));
    child.on('exit', (code, signal) => resolve({ name, code: code ?? (signal ? 1 : 0), output }));
  });
}

const checks = [
  run('tsc --noEmit', bin('tsc'), ['--noEmit'], true),
  run('check:layers', bin('tsx'), ['scripts/check-layers.ts'], true),
];
const tests = await run('vitest run', bin('vitest'), ['run', ...process.argv.slice(2)], false);
const results = [tests, ...(await Promise.all(checks))];
for (const r of results.slice(1)) {
  if (r.code !== 0 || r.output.trim()) process.stdout.write(`\n${r.name}${r.code === 0 ? '' : ` FAILED (exit ${r.code})`}:\n${r.output}`);
}
const failed = results.filter((r) => r.code !== 0).map((r) => r.name);
if (failed.length > 0) console.error(`\nnpm test failed: ${failed.join(', ')}`);
process.exit(failed.length > 0 ? 1 : 0);
