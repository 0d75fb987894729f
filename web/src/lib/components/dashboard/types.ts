import type { StatusTone } from '$lib/components/ui/StatusBadge.svelte';
import { formatPercent } from '$lib/format';
import type { RouterOutputs } from '$lib/trpc';

export type DashboardSummary = RouterOutputs['dashboard']['summary'];
export type DashboardDay = DashboardSummary['days'][number];
export type InFlightCampaign = DashboardSummary['inFlight'][number];

/**
 * Where a rate stands against the levels at which Herald warns and pauses, in words (the colour only
 * repeats them). A fact about this window's rate, not the guard's verdict, which judges its own window.
 */
export function rateLevel(rate: number, warning: number, pause: number): { tone: StatusTone; word: string } {
	if (rate >= pause) return { tone: 'error', word: `${formatPercent(pause)} or more` };
	if (rate >= warning) return { tone: 'warning', word: `${formatPercent(warning)} or more` };
	return { tone: 'success', word: `Below ${formatPercent(warning)}` };
}
