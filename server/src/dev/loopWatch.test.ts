import { afterEach, expect, it } from 'vitest';
import { createLoopWatch, type LoopWatch } from './loopWatch.js';

let watch: LoopWatch | undefined;
afterEach(() => watch?.stop());

const STALL_MS = 80;
const stall = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

it('says how long the event loop was stalled before the work in hand, and forgets the stall once the loop has run', async () => {
  watch = createLoopWatch();
  await new Promise((resolve) => setTimeout(resolve, 20));
  // A busy machine may hold any timer back a few milliseconds: far less than the stall below.
  expect(watch.uncertaintyMs()).toBeLessThan(STALL_MS / 2);
  stall(STALL_MS);
  expect(watch.uncertaintyMs()).toBeGreaterThanOrEqual(STALL_MS);
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(watch.uncertaintyMs()).toBeLessThan(STALL_MS / 2);
});
