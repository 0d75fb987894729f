import { describe, expect, it } from 'vitest';
import { effectiveRate, sendInterval } from './rateLimiter.js';

describe('effectiveRate', () => {
  it.each([
    [null, null, 14],
    [10, null, 10],
    [null, 1, 1],
    [50, 14, 14],
    [5, 14, 5],
    [null, 2.5, 2.5],
    // SES reports 0 (or nothing usable) when it knows no quota: unknown, not "never send".
    [null, 0, 14],
    [0, 20, 20],
    [null, Number.NaN, 14],
    // A tiny positive rate is honoured down to one send per 10 s.
    [null, 0.05, 0.1],
  ])('tenant cap %s, SES max %s → %s/s', (cap, ses, rate) => {
    expect(effectiveRate(cap, ses)).toBe(rate);
  });
});

describe('sendInterval', () => {
  it('spaces sends 2 % wider than 1000 / rate, so rate + 1 slots span 1020 ms', () => {
    expect(sendInterval(14)).toBeCloseTo((1000 / 14) * 1.02, 9);
    expect(14 * sendInterval(14)).toBeCloseTo(1020, 9);
  });
});
