import type { RouterOutputs } from '$lib/trpc';
import type { StatusTone } from '$lib/components/ui/StatusBadge.svelte';

export type CampaignSummary = RouterOutputs['campaigns']['list'][number];
export type Campaign = RouterOutputs['campaigns']['get'];
export type CampaignStatus = CampaignSummary['status'];
export type CampaignCounts = CampaignSummary['counts'];
export type CampaignMetrics = RouterOutputs['campaigns']['metrics'];
export type SendCheck = RouterOutputs['campaigns']['sendCheck'];
export type CampaignPreview = RouterOutputs['campaigns']['preview'];
export type ContactMessage = RouterOutputs['contacts']['get']['messages'][number];

export const campaignStatuses: Record<CampaignStatus, { tone: StatusTone; label: string; meaning: string }> = {
	draft: { tone: 'neutral', label: 'Draft', meaning: 'Not sent yet; you can still edit it.' },
	scheduled: { tone: 'neutral', label: 'Scheduled', meaning: 'Starts by itself at the time it is scheduled for; you can still edit it.' },
	sending: { tone: 'busy', label: 'Sending', meaning: 'Going out now, at your SES sending rate.' },
	paused: { tone: 'warning', label: 'Paused', meaning: 'Stopped for now; resume it to send the rest.' },
	sent: { tone: 'success', label: 'Sent', meaning: 'Every recipient has been handled.' },
	cancelled: { tone: 'neutral', label: 'Cancelled', meaning: 'Stopped for good; the unsent messages never went out.' },
	failed: { tone: 'error', label: 'Failed', meaning: 'Sending stopped because of an error.' }
};

/** Drafts and scheduled campaigns: nothing has gone out, so there are no numbers yet. */
export function notStarted(status: CampaignStatus): boolean {
	return status === 'draft' || status === 'scheduled';
}

/** Statuses whose numbers can still move. */
export function isActive(status: CampaignStatus): boolean {
	return status === 'sending' || status === 'paused';
}

/** What one message's status means to a marketer; unknown statuses keep their own word. */
const messageStatuses: Record<string, { tone: StatusTone; label: string }> = {
	queued: { tone: 'neutral', label: 'Queued' },
	sending: { tone: 'busy', label: 'Sending' },
	sent: { tone: 'success', label: 'Sent' },
	delivered: { tone: 'success', label: 'Delivered' },
	opened: { tone: 'success', label: 'Opened' },
	clicked: { tone: 'success', label: 'Clicked' },
	bounced: { tone: 'error', label: 'Bounced' },
	complained: { tone: 'error', label: 'Complained' },
	rejected: { tone: 'error', label: 'Rejected' },
	failed: { tone: 'error', label: 'Failed' },
	suppressed: { tone: 'neutral', label: 'Skipped' },
	unknown: { tone: 'warning', label: 'Outcome unknown' },
	cancelled: { tone: 'neutral', label: 'Not sent (cancelled)' }
};

export function messageStatus(status: string): { tone: StatusTone; label: string } {
	return messageStatuses[status] ?? { tone: 'neutral', label: status.charAt(0).toUpperCase() + status.slice(1) };
}

/**
 * Messages Amazon SES accepted: each count holds messages by their latest status,
 * so a delivered or bounced message is no longer under "sent".
 */
export function acceptedBySes(counts: CampaignCounts): number {
	return counts.sent + counts.delivered + counts.opened + counts.clicked + counts.bounced + counts.complained;
}

/**
 * Messages whose sending is over, whatever came of it: the server's `done`, for the list's
 * progress (the campaign page gets it from `campaigns.metrics`).
 */
export function handled(counts: CampaignCounts): number {
	return Math.max(0, counts.recipients - counts.queued - counts.sending);
}

/** The date a campaign is known by in a table: when it went out, else when it was made. */
export function campaignDate(campaign: CampaignSummary): { label: string; iso: string } {
	if (campaign.sentAt) return { label: 'Sent', iso: campaign.sentAt };
	if (campaign.startedAt) return { label: 'Started', iso: campaign.startedAt };
	return { label: 'Created', iso: campaign.createdAt };
}

/** Template fields the server names in `error.data.details.field`. */
export type TemplateField = 'subject' | 'html' | 'text';

export function templateField(details: Record<string, unknown> | null): TemplateField | null {
	const field = details?.field;
	return field === 'subject' || field === 'html' || field === 'text' ? field : null;
}
