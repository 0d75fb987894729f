import type { RouterOutputs } from '$lib/trpc';
import type { StatusTone } from '$lib/components/ui/StatusBadge.svelte';

export type Suppression = RouterOutputs['suppressions']['list']['items'][number];
export type SuppressionReason = Suppression['reason'];
export type SuppressionImportResult = {
	added: number;
	alreadySuppressed: number;
	invalid: Array<{ line: number; value: string }>;
	invalidCount: number;
};

export const suppressionReasons: Record<SuppressionReason, { tone: StatusTone; label: string; meaning: string }> = {
	bounce: {
		tone: 'error',
		label: 'Bounced',
		meaning: "The address doesn't exist or refuses mail."
	},
	complaint: {
		tone: 'error',
		label: 'Spam complaint',
		meaning: 'The person marked one of your emails as spam.'
	},
	unsubscribe: {
		tone: 'neutral',
		label: 'Unsubscribed',
		meaning: 'The person clicked “unsubscribe” in one of your emails.'
	},
	manual: {
		tone: 'warning',
		label: 'Added by your team',
		meaning: 'Someone on your team added it by hand or from a CSV file.'
	}
};

/** Reasons arrive as plain strings in a contact's details. */
export function reasonOf(reason: string): (typeof suppressionReasons)[SuppressionReason] {
	return (
		suppressionReasons[reason as SuppressionReason] ?? {
			tone: 'neutral',
			label: reason,
			meaning: 'Herald will not email this address.'
		}
	);
}
