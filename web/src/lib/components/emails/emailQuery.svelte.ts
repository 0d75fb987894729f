import { debounce } from '$lib/paging.svelte';
import { parseTag, timeRanges, type EmailStatusFilter, type TimeRange } from './types';

interface Applied {
	recipient: string;
	status: EmailStatusFilter | '';
	tag: string;
	range: TimeRange;
}

/** A plain time string; no reactive Date needed for a value read once. */
const isoAt = (ms: number) => new Date(ms).toISOString();

const same = (a: Applied, b: Applied) => a.recipient === b.recipient && a.status === b.status && a.tag === b.tag && a.range === b.range;

/**
 * What the email log is narrowed to. Selects apply at once; typed text (recipient, tag) once
 * typing pauses, so each keystroke isn't a request. Create it while a component initialises.
 */
export class EmailQuery {
	recipient = $state('');
	status = $state<EmailStatusFilter | ''>('');
	tag = $state('');
	range = $state<TimeRange>('all');
	applied = $state<Applied>({ recipient: '', status: '', tag: '', range: 'all' });

	constructor() {
		$effect(() => {
			const next: Applied = { recipient: this.recipient.trim(), status: this.status, tag: this.tag.trim(), range: this.range };
			if (same(next, this.applied)) return;
			const typed = next.recipient !== this.applied.recipient || next.tag !== this.applied.tag;
			if (!typed) {
				this.applied = next;
				return;
			}
			return debounce(() => (this.applied = next), 300);
		});
	}

	/** A tag typed without its ":value" yet, which the list can't filter by. */
	get tagIncomplete(): boolean {
		return this.tag.trim() !== '' && parseTag(this.tag) === null;
	}

	get active(): boolean {
		const a = this.applied;
		return a.recipient !== '' || a.status !== '' || a.tag !== '' || a.range !== 'all';
	}

	/** The filter part of an `emails.list` input; the time range starts from now. */
	input(now = Date.now()) {
		const a = this.applied;
		const hours = timeRanges[a.range].hours;
		return {
			recipient: a.recipient || undefined,
			status: a.status || undefined,
			tag: parseTag(a.tag) ?? undefined,
			since: hours ? isoAt(now - hours * 3600_000) : undefined
		};
	}

	clear(): void {
		this.recipient = '';
		this.status = '';
		this.tag = '';
		this.range = 'all';
	}
}
