import { describe, expect, it } from 'vitest';
import { ratesOf, totalsOf, windowStart } from './days.js';

describe('windowStart', () => {
  it('is UTC midnight 29 days before today, so today is the 30th day', () => {
    expect(windowStart(new Date('2026-03-01T00:30:00Z')).toISOString()).toBe('2026-01-31T00:00:00.000Z');
    // Late in the evening west of UTC it is already the next day in UTC.
    expect(windowStart(new Date('2026-03-01T23:59:59-05:00')).toISOString()).toBe('2026-02-01T00:00:00.000Z');
  });
});

describe('rates', () => {
  it('are shares of the sends, and null with none', () => {
    const totals = totalsOf([
      { sent: 60, delivered: 58, bounced: 2, complained: 0 },
      { sent: 40, delivered: 39, bounced: 0, complained: 1 },
    ]);
    expect(totals).toEqual({ sent: 100, delivered: 97, bounced: 2, complained: 1 });
    expect(ratesOf(totals)).toEqual({ delivery: 0.97, bounce: 0.02, complaint: 0.01 });
    expect(ratesOf(totalsOf([]))).toEqual({ delivery: null, bounce: null, complaint: null });
  });
});
