import { setTimeout as sleep } from 'node:timers/promises';
import type { SendSlot } from './rateLimiter.js';

/**
 * Sleeps until a reserved slot is due, outside any transaction. Resolves true
 * when the caller may send now, false when the slot was missed (the process
 * stalled, or the reservation's round trip was slow): sending that late could
 * put more than the rate into one second next to the slots that follow, so
 * the caller takes a new slot instead (the missed one just goes unused).
 */
export type SlotWindow = Pick<SendSlot, 'notBefore' | 'notAfter'>;

export async function waitForSlot(slot: SlotWindow, signal?: AbortSignal): Promise<boolean> {
  // Timers may fire a little early (libuv caches the loop time), so sleep until the clock says so.
  for (let left = slot.notBefore - performance.now(); left > 0; left = slot.notBefore - performance.now()) {
    await sleep(Math.ceil(left), undefined, { signal });
  }
  return performance.now() <= slot.notAfter;
}
