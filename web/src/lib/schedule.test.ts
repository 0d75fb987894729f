import { describe, expect, it } from 'vitest';
import { formatScheduled, localToInstant, nextFullHourLocal } from './schedule';

describe('localToInstant', () => {
	it('reads a local time in its zone, summer and winter', () => {
		expect(localToInstant('2026-12-09T09:00', 'Europe/Berlin')?.toISOString()).toBe('2026-12-09T08:00:00.000Z');
		expect(localToInstant('2026-07-09T09:00', 'America/New_York')?.toISOString()).toBe('2026-07-09T13:00:00.000Z');
	});

	it('takes the first of a repeated fall-back time, as the server does', () => {
		expect(localToInstant('2026-10-25T02:30', 'Europe/Berlin')?.toISOString()).toBe('2026-10-25T00:30:00.000Z');
		expect(localToInstant('2026-11-01T01:30', 'America/New_York')?.toISOString()).toBe('2026-11-01T05:30:00.000Z');
	});

	it('answers null for what is not a local date-time', () => {
		expect(localToInstant('tomorrow at nine', 'Europe/Berlin')).toBeNull();
	});
});

describe('formatScheduled', () => {
	it('says when in the chosen zone and how far off', () => {
		const text = formatScheduled('2026-12-09T08:00:00Z', 'Europe/Berlin', new Date('2026-12-05T08:00:00Z'));
		expect(text).toMatch(/9.*09:00.*Europe\/Berlin \(in 4 days\)$/);
		expect(formatScheduled('2026-12-05T08:00:30Z', 'UTC', new Date('2026-12-05T08:00:00Z'))).toMatch(/\(in less than a minute\)$/);
		expect(formatScheduled('2026-12-05T08:00:00Z', 'UTC', new Date('2026-12-05T08:00:02Z'))).toMatch(/\(any moment now\)$/);
	});
});

describe('nextFullHourLocal', () => {
	it('is on the hour, at least an hour ahead', () => {
		const now = new Date(2026, 11, 5, 10, 17);
		expect(nextFullHourLocal(now)).toBe('2026-12-05T12:00');
	});
});
