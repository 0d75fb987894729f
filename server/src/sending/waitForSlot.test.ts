import { describe, expect, it } from 'vitest';
import { waitForSlot } from './waitForSlot.js';

describe('waitForSlot', () => {
  it('never returns before the slot, and says go when in time', async () => {
    const notBefore = performance.now() + 30;
    expect(await waitForSlot({ notBefore, notAfter: notBefore + 60_000 })).toBe(true);
    expect(performance.now()).toBeGreaterThanOrEqual(notBefore);
  });

  it('reports a missed slot at once instead of sending late', async () => {
    const now = performance.now();
    expect(await waitForSlot({ notBefore: now - 50, notAfter: now - 40 })).toBe(false);
  });

  it('stops waiting when aborted', async () => {
    const notBefore = performance.now() + 60_000;
    await expect(waitForSlot({ notBefore, notAfter: notBefore + 10 }, AbortSignal.timeout(20))).rejects.toThrow();
  });
});
