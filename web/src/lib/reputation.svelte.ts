import type { RouterOutputs } from './trpc';
import { trpc } from './trpc';

export type Reputation = RouterOutputs['reputation']['get'];

let current = $state<Reputation | null>(null);

/**
 * The tenant's standing with the reputation guard, shared by the banner on
 * every page and the dashboard, so a resume on one shows on the other at once.
 */
export const reputation = {
	get current(): Reputation | null {
		return current;
	},
	set(value: Reputation | null): void {
		current = value;
	}
};

/**
 * Asks the server again. A failure keeps what is shown: the banner is a
 * reminder, and the next refresh (or the page itself) reports real trouble.
 */
export async function refreshReputation(): Promise<void> {
	try {
		current = await trpc.reputation.get.query();
	} catch {
		// Kept as it was; see above.
	}
}
