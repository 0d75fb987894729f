import { afterEach, expect, it } from 'vitest';
import { createLoopWatch, type LoopWatch } from './loopWatch.js';

let watch: LoopWatch | undefined;
afterEach(() => watch?.stop());

const STALL_MS = 80;
const stall = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('says how long the event loop was stalled before the call in hand, and forgets the stall once the loop has run', async () => {
  watch = createLoopWatch();
  // The first call starts the watch: nothing is known about the time before it.
  expect(watch.uncertaintyMs()).toBe(0);
  await pause(30);
  // A busy machine may hold any timer back a few milliseconds: far less than the stall below.
  expect(watch.uncertaintyMs()).toBeLessThan(STALL_MS / 2);
  stall(STALL_MS);
  expect(watch.uncertaintyMs()).toBeGreaterThanOrEqual(STALL_MS);
  await pause(30);
  expect(watch.uncertaintyMs()).toBeLessThan(STALL_MS / 2);
  expect(watch.lateness().maxMs).toBeGreaterThanOrEqual(STALL_MS - 10);
  watch.resetLateness();
  expect(watch.lateness().samples).toBe(0);
});

it('counts a stall the tick has already ended: a request taken up right after the late tick may have waited through it', async () => {
  watch = createLoopWatch();
  watch.uncertaintyMs();
  await pause(30);
  stall(STALL_MS);
  // The watch's tick is due first, so it runs before this timer in the loop's turn after the stall.
  const afterTick = await new Promise<number>((resolve) => setTimeout(() => resolve(watch!.uncertaintyMs()), 0));
  expect(afterTick).toBeGreaterThanOrEqual(STALL_MS);
  await pause(30);
  expect(watch.uncertaintyMs()).toBeLessThan(STALL_MS / 2);
});

it('stops ticking two seconds after the last call, and gives the first call after that no allowance', async () => {
  watch = createLoopWatch();
  watch.uncertaintyMs();
  await pause(2_300);
  const samples = watch.lateness().samples;
  await pause(200);
  expect(watch.lateness().samples).toBe(samples);
  stall(STALL_MS);
  expect(watch.uncertaintyMs()).toBe(0);
});
