import { expect, it } from 'vitest';
import { boundsOf, createDbClock } from './dbClock.js';

// The database clock runs 1,000,000 ms ahead of performance.now() in these samples.
const OFFSET = 1_000_000;
/** A round trip from `sentAt` to `receivedAt` in which the database read its clock at `readAt` (local time). */
const trip = (sentAt: number, readAt: number, receivedAt: number, queuedMs = 0) => ({ dbMs: readAt + OFFSET, sentAt, queuedMs, receivedAt });

it('bounds the offset by one round trip alone: from the clock read to the answer, and from the send plus the lock wait', () => {
  expect(boundsOf(trip(100, 130, 150, 20))).toEqual({ low: OFFSET - 20, high: OFFSET + 10 });
  expect(createDbClock().observe(trip(100, 130, 150, 20))).toEqual({ low: OFFSET - 20, high: OFFSET + 10 });
});

it('narrows a slow round trip to the tightest recent one, widened by the drift allowed since', () => {
  const clock = createDbClock();
  clock.observe(trip(1_000, 1_000.5, 1_001));
  // 60 ms round trip a second later: alone it would leave 60 ms of doubt, and a slot allows 10.
  const { low, high } = clock.observe(trip(2_000, 2_030, 2_060));
  expect(low).toBeLessThanOrEqual(OFFSET);
  expect(high).toBeGreaterThanOrEqual(OFFSET);
  expect(high - low).toBeLessThan(4);
});

it('forgets round trips older than five seconds', () => {
  const clock = createDbClock();
  clock.observe(trip(1_000, 1_000.5, 1_001));
  const { low, high } = clock.observe(trip(7_000, 7_030, 7_060));
  expect({ low, high }).toEqual(boundsOf(trip(7_000, 7_030, 7_060)));
});

it('starts afresh when the bounds contradict each other (a clock stepped)', () => {
  const clock = createDbClock();
  clock.observe(trip(1_000, 1_000.5, 1_001));
  // The database clock jumped 500 ms ahead: no offset fits both round trips.
  const stepped = { ...trip(1_100, 1_100.5, 1_101), dbMs: 1_100.5 + OFFSET + 500 };
  expect(clock.observe(stepped)).toEqual(boundsOf(stepped));
  const next = { ...trip(1_200, 1_230, 1_260), dbMs: 1_230 + OFFSET + 500 };
  const { low, high } = clock.observe(next);
  expect(high - low).toBeLessThan(4);
  expect(low).toBeLessThanOrEqual(OFFSET + 500);
  expect(high).toBeGreaterThanOrEqual(OFFSET + 500);
});
