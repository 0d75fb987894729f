import { afterEach, expect, it } from 'vitest';
import { createLoopWatch, type LoopWatch } from './loopWatch.js';

let watch: LoopWatch | undefined;
afterEach(() => watch?.stop());

it('says how long the event loop was stalled before the work in hand, and 0 while it runs on time', async () => {
  watch = createLoopWatch();
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(watch.uncertaintyMs()).toBe(0);
  const until = performance.now() + 60;
  while (performance.now() < until);
  expect(watch.uncertaintyMs()).toBeGreaterThanOrEqual(60);
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(watch.uncertaintyMs()).toBe(0);
});
