import { MissedDeparture, type Departure } from '../ses/departure.js';
import { reserveSendSlot, type RateLimiterDeps, type ReserveInput } from './rateLimiter.js';
import { setOutWindow, waitForSlot, type SlotWindow } from './waitForSlot.js';

/** Missed slots replaced before giving up: a stall of the process (GC, a busy machine) rarely lasts longer. */
const MAX_TRIES = 5;

export type TurnResult<T> = { turn: 'go'; sent: T } | { turn: 'full' | 'late' };

/** What a test email that got no turn tells the person who asked for it. */
export function noTurnMessage(turn: 'full' | 'late'): string {
  return turn === 'full'
    ? 'Your campaigns are using the whole SES sending rate right now. Try the test again in a few seconds.'
    : 'The server was too busy to send at its turn. Try again.';
}

/**
 * Sends once at a turn of the tenant's rate, for a single send outside a campaign batch (a
 * transactional or test email): takes a slot, waits for it, and calls `send`, whose request must
 * leave within the slot (ses/departure.ts). A slot missed because this process was late, before the
 * call or on the way out, is replaced by a fresh one, as a batch does, instead of failing the send.
 * Whatever the caller must do first (claim the email, record the test send) belongs before this
 * call: a round trip between the slot and the request would make every busy send miss its slot.
 * `full`: the rate is taken further ahead than `maxWaitMs`; `late`: every try was missed.
 */
export async function sendAtTurn<T>(
  deps: RateLimiterDeps,
  input: ReserveInput,
  send: (departure: Departure) => Promise<T>,
  wait: (slot: SlotWindow) => Promise<boolean> = waitForSlot,
): Promise<TurnResult<T>> {
  for (let tries = 0; tries < MAX_TRIES; tries += 1) {
    const slot = await reserveSendSlot(deps, input);
    if (!slot.reserved) return { turn: 'full' };
    // Sets out a little ahead: the request waits for its moment at the door (ses/departure.ts).
    if (!(await wait(setOutWindow(slot)))) continue;
    try {
      return { turn: 'go', sent: await send({ by: slot.notAfter, notBefore: slot.notBefore }) };
    } catch (err) {
      if (!(err instanceof MissedDeparture)) throw err;
    }
  }
  return { turn: 'late' };
}
