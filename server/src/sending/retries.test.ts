import { expect, it } from 'vitest';
import { retryDelayMs } from './retries.js';

it('backs off about 2 s, then about 8 s', () => {
  expect(retryDelayMs(1, () => 0.5)).toBe(2000);
  expect(retryDelayMs(2, () => 0.5)).toBe(8000);
  expect(retryDelayMs(1, () => 0)).toBe(1500);
  expect(retryDelayMs(1, () => 1)).toBe(2500);
});
