import { reserveSendSlot, type RateLimiterDeps, type ReserveInput } from './rateLimiter.js';
import { waitForSlot, type SlotWindow } from './waitForSlot.js';

/** Missed slots replaced before giving up: a stall of the process (GC, a busy machine) rarely lasts longer. */
const MAX_TRIES = 5;

/**
 * Waits for the tenant's next send slot, for a single send outside a
 * campaign batch (a test email). A slot missed because this process was late
 * is replaced by a fresh one, as a batch does, instead of failing the send.
 * `full`: the rate is taken further ahead than `maxWaitMs`; `late`: every try
 * was missed.
 */
export async function awaitSendTurn(
  deps: RateLimiterDeps,
  input: ReserveInput,
  wait: (slot: SlotWindow) => Promise<boolean> = waitForSlot,
): Promise<'go' | 'full' | 'late'> {
  for (let tries = 0; tries < MAX_TRIES; tries += 1) {
    const slot = await reserveSendSlot(deps, input);
    if (!slot.reserved) return 'full';
    if (await wait(slot)) return 'go';
  }
  return 'late';
}
