import type { StatusTone } from '$lib/components/ui/StatusBadge.svelte';
import type { RouterInputs, RouterOutputs } from '$lib/trpc';

export type EmailPage = RouterOutputs['emails']['list'];
export type EmailSummary = EmailPage['items'][number];
export type EmailDetail = RouterOutputs['emails']['get'];
export type EmailStatus = EmailSummary['status'];
export type EmailStatusFilter = NonNullable<RouterInputs['emails']['list']['status']>;

interface StatusMeaning {
	tone: StatusTone;
	label: string;
	/** One sentence for the badge's title and the detail page. */
	meaning: string;
	/** Nothing more will change on its own (opens and clicks may still come, but rarely matter live). */
	final: boolean;
}

/** Every email status in words; the filter offers them in this order. */
export const emailStatuses: Record<EmailStatus, StatusMeaning> = {
	scheduled: { tone: 'neutral', label: 'Scheduled', meaning: 'Waiting for its send time.', final: false },
	queued: { tone: 'busy', label: 'Queued', meaning: 'Accepted by Herald; going to Amazon SES in a moment.', final: false },
	held: { tone: 'warning', label: 'Held', meaning: 'Waiting until sending can resume (see the reason on the email).', final: false },
	sending: { tone: 'busy', label: 'Sending', meaning: 'Being handed to Amazon SES right now.', final: false },
	sent: { tone: 'busy', label: 'Sent', meaning: 'Amazon SES accepted it; waiting for the receiving server to confirm delivery.', final: false },
	delivered: { tone: 'success', label: 'Delivered', meaning: "The recipients' mail servers accepted it.", final: true },
	opened: { tone: 'success', label: 'Opened', meaning: 'Delivered, and opened by every recipient.', final: true },
	clicked: { tone: 'success', label: 'Clicked', meaning: 'Delivered, and a link was clicked.', final: true },
	bounced: { tone: 'error', label: 'Bounced', meaning: 'A recipient address refused it; the address is now suppressed.', final: true },
	complained: { tone: 'error', label: 'Complained', meaning: 'A recipient marked it as spam.', final: true },
	rejected: { tone: 'error', label: 'Rejected', meaning: 'Amazon SES refused to send it (for example a virus in an attachment).', final: true },
	failed: { tone: 'error', label: 'Failed', meaning: 'Herald could not hand it to Amazon SES; the error says why.', final: true },
	unknown: { tone: 'warning', label: 'Outcome unknown', meaning: 'Herald lost track of whether SES sent it; an SES event will settle it.', final: true },
	refused: { tone: 'neutral', label: 'Not sent', meaning: 'Every recipient was refused (suppressed or invalid); nothing was sent.', final: true }
};

export function emailStatus(status: EmailStatus): StatusMeaning {
	return emailStatuses[status];
}

/** Anything on screen that can still move: the page keeps asking while there is. */
export function anyUnsettled(statuses: EmailStatus[]): boolean {
	return statuses.some((s) => !emailStatuses[s].final);
}

/** The time ranges the list offers, in hours; 0 is "all time". */
export const timeRanges = {
	'24h': { label: 'Last 24 hours', hours: 24 },
	'7d': { label: 'Last 7 days', hours: 24 * 7 },
	'30d': { label: 'Last 30 days', hours: 24 * 30 },
	all: { label: 'All time', hours: 0 }
} as const;
export type TimeRange = keyof typeof timeRanges;

/** SES event types ("Delivery", "Open") in plain words. */
const eventWords: Record<string, string> = {
	send: 'Accepted by SES',
	delivery: 'Delivered',
	open: 'Opened',
	click: 'Clicked',
	bounce: 'Bounced',
	complaint: 'Marked as spam',
	reject: 'Rejected by SES',
	renderingfailure: 'Rendering failed',
	deliverydelay: 'Delivery delayed',
	subscription: 'Unsubscribed'
};

export function eventLabel(type: string): string {
	return eventWords[type.toLowerCase().replace(/[^a-z]/g, '')] ?? type;
}

/** Tone of a timeline event, so trouble stands out. */
export function eventTone(type: string): StatusTone {
	const key = type.toLowerCase().replace(/[^a-z]/g, '');
	if (['bounce', 'complaint', 'reject', 'renderingfailure'].includes(key)) return 'error';
	if (key === 'deliverydelay') return 'warning';
	if (['delivery', 'open', 'click'].includes(key)) return 'success';
	return 'neutral';
}

/** "name:value" as typed into the tag filter; null while it isn't one yet. */
export function parseTag(typed: string): { name: string; value: string } | null {
	const at = typed.indexOf(':');
	if (at <= 0) return null;
	const name = typed.slice(0, at).trim();
	const value = typed.slice(at + 1).trim();
	return name && value ? { name, value } : null;
}
