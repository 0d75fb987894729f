const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
	dateStyle: 'medium',
	timeStyle: 'short'
});
const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
	['year', 365 * 24 * 3600],
	['month', 30 * 24 * 3600],
	['week', 7 * 24 * 3600],
	['day', 24 * 3600],
	['hour', 3600],
	['minute', 60]
];

export function formatDate(iso: string): string {
	return dateFormat.format(new Date(iso));
}

export function formatDateTime(iso: string): string {
	return dateTimeFormat.format(new Date(iso));
}

/** "just now", "5 minutes ago", "yesterday", … */
export function formatRelative(iso: string, now: Date = new Date()): string {
	const seconds = (new Date(iso).getTime() - now.getTime()) / 1000;
	for (const [unit, size] of UNITS) {
		if (Math.abs(seconds) >= size) return relativeFormat.format(Math.round(seconds / size), unit);
	}
	return 'just now';
}

const numberFormat = new Intl.NumberFormat();

/** 50000 → "50,000" in the reader's locale. */
export function formatNumber(value: number): string {
	return numberFormat.format(value);
}

/** 1536 → "1.5 KB", 40_000_000 → "38.1 MB". */
export function formatBytes(bytes: number): string {
	if (bytes < 1024) return `${numberFormat.format(bytes)} bytes`;
	const units = ['KB', 'MB', 'GB'];
	let value = bytes / 1024;
	let unit = 0;
	while (value >= 1024 && unit < units.length - 1) {
		value /= 1024;
		unit++;
	}
	return `${value.toFixed(value >= 100 ? 0 : 1)} ${units[unit]}`;
}

/** 372 → "about 6 minutes": how long something will take, roughly. */
export function formatDuration(seconds: number): string {
	if (!Number.isFinite(seconds) || seconds < 0) return 'unknown';
	if (seconds < 45) return 'less than a minute';
	if (seconds < 90) return 'about a minute';
	const minutes = Math.round(seconds / 60);
	if (minutes < 55) return `about ${minutes} minutes`;
	if (seconds < 90 * 60) return 'about an hour';
	const hours = Math.round(seconds / 3600);
	if (hours < 36) return `about ${hours} hours`;
	const days = Math.round(seconds / 86_400);
	return days === 1 ? 'about a day' : `about ${days} days`;
}

/** 0.9812 → "98.1 %", 0.05 → "5 %"; small rates keep two decimals (0.0012 → "0.12 %"). */
export function formatPercent(rate: number): string {
	const percent = rate * 100;
	if (percent === 0) return '0 %';
	// Never round up to a full 100 % that wasn't reached.
	if (percent >= 99.95 && percent < 100) return '99.9 %';
	const digits = percent < 1 ? 2 : percent >= 100 ? 0 : 1;
	return `${String(Number(percent.toFixed(digits)))} %`;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });

/** "14:05" (or "2:05 PM"), in the reader's locale. */
export function formatTime(iso: string): string {
	return timeFormat.format(new Date(iso));
}
