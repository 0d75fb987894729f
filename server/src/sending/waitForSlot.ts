import { SET_OUT_LEAD_MS } from '../ses/departure.js';
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

/**
 * What a send waits for before it sets out: its slot, SET_OUT_LEAD_MS early, so the SDK has built and signed
 * the request by the slot, and the request waits at the door for the slot itself (ses/departure.ts).
 */
export const setOutWindow = (slot: SlotWindow): SlotWindow => ({ notBefore: slot.notBefore - SET_OUT_LEAD_MS, notAfter: slot.notAfter });
