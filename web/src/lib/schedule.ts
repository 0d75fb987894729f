import { formatRelative } from './format';

/** The reader's own IANA time zone, the picker's default. */
export function browserTimeZone(): string {
	return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** Every zone the browser knows, the reader's first. */
export function timeZones(): string[] {
	const own = browserTimeZone();
	const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [own, 'UTC'];
	return [own, ...all.filter((z) => z !== own)];
}

/** "Tue, 9 Dec, 09:00" (in the reader's locale) as the clock reads in `zone`. */
export function formatInZone(iso: string, zone: string): string {
	return new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', timeZone: zone }).format(new Date(iso));
}

/** "Tue, 9 Dec, 09:00 Europe/Berlin (in 4 days)". */
export function formatScheduled(iso: string, zone: string, now: Date = new Date()): string {
	const ahead = new Date(iso).getTime() - now.getTime();
	// Relative wording says "just now" inside a minute either way; a start is still ahead, or due.
	const when = ahead >= 60_000 ? formatRelative(iso, now) : ahead > 0 ? 'in less than a minute' : 'any moment now';
	return `${formatInZone(iso, zone)} ${zone} (${when})`;
}

/** A `datetime-local` value an hour or so ahead, on the hour, as the reader's clock reads. */
export function nextFullHourLocal(now: Date = new Date()): string {
	const at = new Date(now.getTime() + 2 * 3600_000);
	at.setMinutes(0, 0, 0);
	const pad = (n: number) => String(n).padStart(2, '0');
	return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
}

/**
 * The instant a local date-time in `zone` names, for showing it in the
 * reader's own time before scheduling. Approximate in a daylight-saving gap
 * (Herald refuses those times when scheduling, saying which time to pick).
 */
export function localToInstant(local: string, zone: string): Date | null {
	const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(local);
	if (!m) return null;
	const asUtc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
	// The zone's offsets half a day either side: whichever reads back as the same wall time is right;
	// both do at a fall-back repeat (the earlier is chosen, as Herald does), neither in a gap.
	const fits = [offsetMs(asUtc - 43_200_000, zone), offsetMs(asUtc + 43_200_000, zone)]
		.map((offset) => asUtc - offset)
		.filter((instant) => instant + offsetMs(instant, zone) === asUtc);
	return new Date(fits.length > 0 ? Math.min(...fits) : asUtc - offsetMs(asUtc, zone));
}

function offsetMs(at: number, zone: string): number {
	const parts = Object.fromEntries(
		new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
			.formatToParts(new Date(at))
			.map((p) => [p.type, p.value])
	);
	const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
	return wall - Math.floor(at / 1000) * 1000;
}
