import { describeError } from '$lib/errors';
import { trpc, type RouterOutputs } from '$lib/trpc';
import { throttle, type Throttled } from './throttle';

export type CampaignTimeline = RouterOutputs['campaigns']['report']['timeline'];
export type CampaignLink = RouterOutputs['campaigns']['report']['links'][number];

/** Timeline and links are reread at most this often while updates stream in. */
export const REPORT_REFRESH_MS = 2000;

/**
 * The parts of the report that the metrics stream doesn't carry: the time chart and the top
 * links. `refresh()` may be called on every metrics update; the reads happen at most every
 * REPORT_REFRESH_MS, and never two at once.
 */
export class ReportData {
	timeline = $state<CampaignTimeline | null>(null);
	links = $state<CampaignLink[] | null>(null);
	/** The last read failed: what shows stays, with this note. */
	problem = $state<string | null>(null);

	readonly #id: string;
	readonly #throttled: Throttled;

	constructor(campaignId: string) {
		this.#id = campaignId;
		this.#throttled = throttle(() => this.#load(), REPORT_REFRESH_MS);
	}

	refresh(): void {
		this.#throttled.run();
	}

	stop(): void {
		this.#throttled.cancel();
	}

	async #load(): Promise<void> {
		const id = this.#id;
		try {
			const [timeline, links] = await Promise.all([trpc.campaigns.report.timeline.query({ id }), trpc.campaigns.report.links.query({ id })]);
			this.timeline = timeline;
			this.links = links;
			this.problem = null;
		} catch (cause) {
			const problem = describeError(cause);
			this.problem = problem.message;
		}
	}
}
