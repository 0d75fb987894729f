import { describe, expect, it } from 'vitest';
import { judgeReputation, percent } from './policy.js';

describe('judgeReputation', () => {
  it('judges nothing below the minimum sample, however bad the rates', () => {
    expect(judgeReputation({ sends: 19, bounces: 19, complaints: 19 }, 20)).toEqual({ state: 'ok', bounceRate: 1, complaintRate: 1, reason: null });
    expect(judgeReputation({ sends: 0, bounces: 0, complaints: 0 }, 20)).toEqual({ state: 'ok', bounceRate: null, complaintRate: null, reason: null });
  });

  it('is ok under both warning levels', () => {
    expect(judgeReputation({ sends: 10_000, bounces: 199, complaints: 4 }, 500)).toMatchObject({ state: 'ok', reason: null });
  });

  it('warns at 2 % hard bounces or 0.05 % complaints, saying where Herald pauses', () => {
    expect(judgeReputation({ sends: 1000, bounces: 20, complaints: 0 }, 500)).toEqual({
      state: 'warning',
      bounceRate: 0.02,
      complaintRate: 0,
      reason: 'Bounce rate 2 % over the last 1,000 sends is at 2 % (Herald pauses sending at 5 %). Remove addresses that bounce or complain before your next campaign.',
    });
    expect(judgeReputation({ sends: 10_000, bounces: 0, complaints: 6 }, 500).reason).toMatch(/^Complaint rate 0\.06 % over the last 10,000 sends is above 0\.05 % \(Herald pauses sending at 0\.1 %\)/);
  });

  it('pauses at 5 % hard bounces, in plain words', () => {
    expect(judgeReputation({ sends: 1240, bounces: 77, complaints: 0 }, 500)).toEqual({
      state: 'paused',
      bounceRate: 77 / 1240,
      complaintRate: 0,
      reason:
        'Bounce rate 6.2 % over the last 1,240 sends is above 5 %: Herald paused sending before Amazon SES reviews your account. Clean your list, then resume.',
    });
  });

  it('pauses at 0.1 % complaints, and names every rate past the pause level', () => {
    expect(judgeReputation({ sends: 1000, bounces: 10, complaints: 1 }, 500)).toMatchObject({ state: 'paused', reason: expect.stringMatching(/^Complaint rate 0\.1 % over the last 1,000 sends is at 0\.1 %: Herald paused/) });
    expect(judgeReputation({ sends: 1000, bounces: 60, complaints: 2 }, 500).reason).toMatch(/^Bounce rate 6 % .* is above 5 %; Complaint rate 0\.2 % .* is above 0\.1 %: Herald paused/);
  });
});

describe('percent', () => {
  it('keeps two decimals below 1 %', () => {
    expect([percent(0.0621), percent(0.0012), percent(0.05), percent(0.0005)]).toEqual(['6.2 %', '0.12 %', '5 %', '0.05 %']);
  });
});
