import { sleepUntil } from '../ses/sleepUntil.js';
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
  await sleepUntil(slot.notBefore, signal);
  return performance.now() <= slot.notAfter;
}
