import { describe, expect, it } from 'vitest';
import { SendLog } from './sendLog.js';

const one = { rate: 1, daily: 1 };
const at = (t: number) => ({ from: t, to: t });
/** Sends at `rate` per second spaced 2 % wider, as Herald's limiter spaces them. */
const spaced = (rate: number, n: number, start = 10_000) => Array.from({ length: n }, (_, i) => start + Math.round((i * 1000 * 1.02) / rate));

describe('SendLog.place', () => {
  it('is the sliding one-second window when the arrival is known: the 15th send within a second is refused', () => {
    const log = new SendLog();
    for (let i = 0; i < 14; i++) {
      expect(log.place(at(1_000 + i), one, 14, -1)).toBe(1_000 + i);
      log.record(1_000 + i, one);
    }
    expect(log.place(at(1_999), one, 14, -1)).toBe('rate');
    // The window is (t - 1000, t]: the first send leaves it at 2000.
    expect(log.place(at(2_000), one, 14, -1)).toBe(2_000);
  });

  it('counts a send that waited for a stalled simulator as early as it may have arrived, so the sends after it are not crowded', () => {
    const sent = spaced(14, 15);
    const strict = new SendLog();
    const fair = new SendLog();
    // The first send reached a simulator stalled for 40 ms and was taken up then.
    const takenUp = sent.map((t, i) => (i === 0 ? t + 40 : t));
    const strictAnswers = takenUp.map((t) => {
      const placed = strict.place(at(t), one, 14, -1);
      if (typeof placed === 'number') strict.record(placed, one);
      return placed;
    });
    expect(strictAnswers.at(-1)).toBe('rate');
    const fairAnswers = takenUp.map((t, i) => {
      const placed = fair.place({ from: i === 0 ? t - 40 : t, to: t }, one, 14, -1);
      if (typeof placed === 'number') fair.record(placed, one);
      return placed;
    });
    expect(fairAnswers).toEqual(sent);
  });

  it('never counts a send before the sends already recorded, and refuses what fits nowhere in its span', () => {
    const log = new SendLog();
    for (const t of [5_000, 5_010]) log.record(t, one);
    expect(log.place({ from: 4_000, to: 5_020 }, one, 14, -1)).toBe(4_000);
    const full = new SendLog();
    for (let i = 0; i < 14; i++) full.record(5_000 + i * 10, one);
    // Room again at 6000, when the first leaves the window: inside a span that reaches it, not before.
    expect(full.place({ from: 5_200, to: 6_100 }, one, 14, -1)).toBe(6_000);
    expect(full.place({ from: 5_200, to: 5_999 }, one, 14, -1)).toBe('rate');
  });

  it('lets a message with more recipients than the rate through an empty window only', () => {
    const log = new SendLog();
    const many = { rate: 20, daily: 20 };
    expect(log.place(at(1_000), many, 14, -1)).toBe(1_000);
    log.record(1_000, many);
    expect(log.place(at(1_999), one, 14, -1)).toBe('rate');
    expect(log.place(at(2_000), many, 14, -1)).toBe(2_000);
  });

  it('answers daily before the rate once the day is spent', () => {
    const log = new SendLog();
    log.record(1_000, one);
    expect(log.place(at(1_001), one, 14, 1)).toBe('daily');
    expect(log.place(at(1_000 + 86_400_000), one, 14, 1)).toBe(1_000 + 86_400_000);
  });
});
