/** A fix link the server attached to an error (e.g. "/settings/channels"), if it is one of ours. */
export function fixPathOf(details: Record<string, unknown> | null): string | null {
	const path = details?.fixPath;
	return typeof path === 'string' && path.startsWith('/') ? path : null;
}

/**
 * Words for the link to the place where a problem gets fixed, from its path and the server's
 * message; when the message already says what to do there, the link just names the place.
 */
export function fixLabel(path: string, message = ''): string {
	if (path.startsWith('/settings/channels')) {
		if (/Settings → Channels/.test(message)) return 'Go to Settings → Channels';
		return /not connected/i.test(message)
			? 'Connect Amazon SES in Settings → Channels'
			: 'Check the connection in Settings → Channels';
	}
	if (path.startsWith('/settings/profile')) {
		if (/Settings → Sender profile/.test(message)) return 'Go to Settings → Sender profile';
		return 'Add your postal address in Settings → Sender profile';
	}
	if (/^\/lists\/[^/]+/.test(path)) return 'Open the list';
	if (path.startsWith('/lists')) return 'Go to Lists';
	if (path.startsWith('/contacts')) return 'Go to Contacts';
	if (path.startsWith('/suppressions')) return 'Go to Suppressions';
	if (/^\/campaigns\/[^/]+\/edit/.test(path)) return 'Edit the campaign';
	return 'Fix it';
}
