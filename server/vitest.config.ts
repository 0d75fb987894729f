import { defineConfig } from 'vitest/config';

/**
 * Tests that measure timing (sends per second at the simulator, transactional
 * latency under a campaign, a worker killed mid-send, requests leaving within
 * milliseconds of their slot) run alone, after the rest: beside another test
 * file on a 2-core machine, scheduling jitter, not Herald, decides their figures.
 */
const TIMING = [
  'test/sendRate.int.test.ts',
  'test/transactionalPriority.int.test.ts',
  'test/sendKill.int.test.ts',
  'test/scaleOut.int.test.ts',
  'src/ses/departure.test.ts',
];

const shared = {
  globalSetup: ['src/testing/globalSetup.ts'],
  testTimeout: 30_000,
  hookTimeout: 60_000,
};

export default defineConfig({
  test: {
    // Each file has its own database; two at a time suits a 2-core machine.
    maxWorkers: 2,
    projects: [
      { test: { ...shared, name: 'server', include: ['src/**/*.test.ts', 'test/**/*.test.ts'], exclude: TIMING } },
      { test: { ...shared, name: 'timing', include: TIMING, fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
});
