import type { RouterInputs, RouterOutputs } from '$lib/trpc';
import type { StatusTone } from '$lib/components/ui/StatusBadge.svelte';

export type Contact = RouterOutputs['contacts']['list']['items'][number];
export type ContactDetail = RouterOutputs['contacts']['get'];
export type ContactStatus = Contact['status'];
export type ContactQuery = RouterInputs['contacts']['list'];
export type ImportStatus = RouterOutputs['contacts']['importStatus'];
export type ListSummary = RouterOutputs['lists']['list'][number];

export const contactStatuses: Record<ContactStatus, { tone: StatusTone; label: string; meaning: string }> = {
	subscribed: {
		tone: 'success',
		label: 'Subscribed',
		meaning: 'Gets your campaigns.'
	},
	unsubscribed: {
		tone: 'neutral',
		label: 'Unsubscribed',
		meaning: 'Asked not to get your email. Herald skips this address in every campaign.'
	},
	bounced: {
		tone: 'error',
		label: 'Bounced',
		meaning: "Email to this address bounced: it doesn't exist or refuses mail. Herald skips it."
	},
	complained: {
		tone: 'error',
		label: 'Complained',
		meaning: 'Marked one of your emails as spam. Herald skips this address in every campaign.'
	}
};

/** Full name, or null when the contact has none. */
export function fullName(contact: { firstName: string | null; lastName: string | null }): string | null {
	return [contact.firstName, contact.lastName].filter(Boolean).join(' ') || null;
}

/** The server's rule for attribute names (usable as merge tags like {{company_size}}). */
export const ATTRIBUTE_NAME = /^[a-z][a-z0-9_]{0,63}$/;

export function checkAttributeName(name: string): string | undefined {
	if (!name.trim()) return 'Enter a field name.';
	if (!ATTRIBUTE_NAME.test(name.trim()))
		return 'Use lower-case letters, digits and _ , starting with a letter (like company_size).';
	return undefined;
}

/** "Company size" → "company_size": a starting point the person can edit. */
export function toAttributeName(label: string): string {
	const name = label
		.trim()
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, '_')
		.replace(/^[^a-z]+|_+$/g, '')
		.slice(0, 64);
	return name || 'field';
}
