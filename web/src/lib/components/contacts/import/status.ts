import { formatBytes, formatNumber } from '$lib/format';
import type { StatusTone } from '$lib/components/ui/StatusBadge.svelte';
import type { ImportStatus } from '../types';

export const isFinished = (s: ImportStatus) => s.status === 'done' || s.status === 'failed';

/** The sentence under the progress bar. */
export function progressWords(s: ImportStatus): string {
	switch (s.status) {
		case 'uploaded':
			return 'Waiting for the column choices…';
		case 'queued':
			return 'Waiting to start…';
		case 'parsing':
			if (s.bytesTotal > 0 && s.bytesRead >= s.bytesTotal) return 'Checking the rows for missing, invalid and repeated addresses…';
			return s.bytesTotal > 0
				? `Reading the file… ${formatBytes(s.bytesRead)} of ${formatBytes(s.bytesTotal)}`
				: 'Reading the file…';
		case 'importing':
			return s.rowsTotal === null
				? 'Importing…'
				: `Importing ${formatNumber(s.rowsDone)} of ${formatNumber(s.rowsTotal)} rows…`;
		case 'done':
			return `Done: ${formatNumber(s.rowsTotal ?? s.rowsDone)} ${(s.rowsTotal ?? s.rowsDone) === 1 ? 'row' : 'rows'} read.`;
		case 'failed':
			return 'The import stopped.';
	}
}

/** A short status for the Recent imports table. */
export function importBadge(s: ImportStatus): { tone: StatusTone; label: string } {
	switch (s.status) {
		case 'done':
			return s.failedRows > 0
				? { tone: 'warning', label: 'Done, with errors' }
				: { tone: 'success', label: 'Done' };
		case 'failed':
			return { tone: 'error', label: 'Failed' };
		case 'uploaded':
			return { tone: 'neutral', label: 'Not started' };
		default:
			return { tone: 'busy', label: `Importing ${s.percent} %` };
	}
}

/** "300 created · 2 updated · 3 with errors". */
export function resultSummary(s: ImportStatus): string {
	if (s.status === 'failed') return 'Nothing was imported';
	if (s.status !== 'done') return '—';
	const parts = [`${formatNumber(s.created)} created`];
	if (s.updated) parts.push(`${formatNumber(s.updated)} updated`);
	if (s.skipped) parts.push(`${formatNumber(s.skipped)} skipped`);
	if (s.failedRows) parts.push(`${formatNumber(s.failedRows)} with errors`);
	return parts.join(' · ');
}

/** The server's reason, without a "Nothing was imported." the page already says. */
export function failureReason(s: ImportStatus): string {
	return (s.error ?? 'The import stopped.').replace(/\s*Nothing was imported\.?\s*$/i, '');
}
