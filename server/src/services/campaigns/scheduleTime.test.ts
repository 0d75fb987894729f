import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors.js';
import { canonicalTimeZone, localTimeOf, resolveSendAt } from './scheduleTime.js';

const now = new Date('2026-01-01T00:00:00Z');
const resolve = (sendAt: string, timeZone: string) => resolveSendAt(sendAt, timeZone, now, 30_000);

function refusal(run: () => unknown): { message: string; field: string } {
  try {
    run();
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    expect(err.code).toBe('BAD_REQUEST');
    const fields = err.details?.fieldErrors as Record<string, string>;
    const [field] = Object.keys(fields);
    return { message: err.message, field: field ?? '' };
  }
  throw new Error('expected a refusal');
}

describe('resolveSendAt', () => {
  it('reads the local time in the zone', () => {
    expect(resolve('2026-12-09T09:00', 'Europe/Berlin')).toEqual({ at: new Date('2026-12-09T08:00:00Z'), timeZone: 'Europe/Berlin' });
    expect(resolve('2026-07-01T09:00:30', 'America/New_York').at).toEqual(new Date('2026-07-01T13:00:30Z'));
  });

  it('spells the zone canonically', () => {
    expect(canonicalTimeZone('europe/berlin')).toBe('Europe/Berlin');
  });

  it('refuses a spring-forward gap and names the first valid time', () => {
    expect(refusal(() => resolve('2026-03-29T02:30', 'Europe/Berlin'))).toEqual({
      field: 'sendAt',
      message: '02:30 does not exist on Sun 29 Mar 2026 in Europe/Berlin: clocks go forward from 02:00 to 03:00. Pick 03:00 or later.',
    });
    expect(refusal(() => resolve('2026-03-08T02:00', 'America/New_York')).message).toBe(
      '02:00 does not exist on Sun 8 Mar 2026 in America/New_York: clocks go forward from 02:00 to 03:00. Pick 03:00 or later.',
    );
    // The edges of the gap exist.
    expect(resolve('2026-03-29T03:00', 'Europe/Berlin').at).toEqual(new Date('2026-03-29T01:00:00Z'));
    expect(resolve('2026-03-29T01:59', 'Europe/Berlin').at).toEqual(new Date('2026-03-29T00:59:00Z'));
  });

  it('takes the first occurrence of a time repeated at fall-back', () => {
    expect(resolve('2026-10-25T02:30', 'Europe/Berlin').at).toEqual(new Date('2026-10-25T00:30:00Z'));
    expect(localTimeOf(new Date('2026-10-25T00:30:00Z'), 'Europe/Berlin')).toEqual({ dateTime: '2026-10-25T02:30', offset: '+02:00' });
    expect(resolve('2026-11-01T01:30', 'America/New_York').at).toEqual(new Date('2026-11-01T05:30:00Z'));
    expect(localTimeOf(new Date('2026-11-01T05:30:00Z'), 'America/New_York')).toEqual({ dateTime: '2026-11-01T01:30', offset: '-04:00' });
  });

  it('refuses unknown zones and bare offsets, naming timeZone', () => {
    expect(refusal(() => resolve('2026-12-09T09:00', 'Mars/Olympus')).field).toBe('timeZone');
    expect(refusal(() => resolve('2026-12-09T09:00', '+02:00')).field).toBe('timeZone');
  });

  it('refuses dates that do not exist, the past and too soon, naming sendAt', () => {
    expect(refusal(() => resolve('2026-02-30T09:00', 'UTC'))).toMatchObject({ field: 'sendAt', message: expect.stringContaining('not a date') });
    expect(refusal(() => resolve('2025-12-31T23:59', 'UTC')).message).toBe('23:59 on Wed 31 Dec 2025 in UTC is in the past. Pick a time in the future.');
    expect(refusal(() => resolve('2026-01-01T00:00:10', 'UTC')).message).toContain('too soon: schedule at least 30 seconds ahead');
  });
});
