import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The files that took longest in CI (15-35 s each), in that order. On a fresh clone vitest has no
 * timings and starts the largest files first, and several of these are small: they started last
 * and ran on alone while the other workers sat idle.
 */
const LONGEST = [
  'test/browser/accessibility.test.ts',
  'test/bots/killed.test.ts',
  'test/replicas/failover.test.ts',
  'test/accounts/probes.test.ts',
  'test/browser/actions.test.ts',
  'test/browser/swarm-kill.test.ts',
  'test/browser/unread.test.ts',
  'test/push/killed-replica.test.ts',
  'test/security/catch-up-coalesce.test.ts',
  'test/files/huge-upload.test.ts',
  'test/browser/team.test.ts',
  'test/replicas/outage.test.ts',
];

/** vitest's order (groups, then timings or size), with the longest files of each group first. */
export class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = LONGEST.findIndex((name) => f.moduleId.endsWith(name));
      return i < 0 ? LONGEST.length : i;
    };
    const group = (f: TestSpecification) => f.project.config.sequence.groupOrder;
    // Array.prototype.sort is stable: the rest keep vitest's order.
    return [...sorted].sort((a, b) => group(a) - group(b) || rank(a) - rank(b));
  }
}
