import type { StatusTone } from '$lib/components/ui/StatusBadge.svelte';

/**
 * The rates Amazon SES watches for every account (the same levels as the server's
 * REPUTATION_THRESHOLDS): at `warn` Herald warns; at `pause` Herald pauses sending, before SES
 * reviews (and may pause) the whole account.
 */
export interface SesThreshold {
	warn: number;
	pause: number;
}

export const SES_THRESHOLDS = {
	bounce: { warn: 0.02, pause: 0.05 },
	complaint: { warn: 0.0005, pause: 0.001 }
} as const satisfies Record<string, SesThreshold>;

export type RateLevel = 'none' | 'ok' | 'warning' | 'danger';

/** Where a rate stands against SES's thresholds: a word always goes with the colour. */
export function rateLevel(rate: number | null, threshold: SesThreshold): RateLevel {
	if (rate === null) return 'none';
	if (rate >= threshold.pause) return 'danger';
	if (rate >= threshold.warn) return 'warning';
	return 'ok';
}

export const rateLevels: Record<RateLevel, { tone: StatusTone; label: string }> = {
	none: { tone: 'neutral', label: 'Nothing sent yet' },
	ok: { tone: 'success', label: 'Healthy' },
	warning: { tone: 'warning', label: 'Warning' },
	danger: { tone: 'error', label: 'At the pause level' }
};
