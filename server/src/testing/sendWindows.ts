/**
 * The most send times (ms) that fall in any one half-open window
 * [t, t + windowMs): what SES's per-second limit sees. Exact, over every
 * window; only windows starting at a send need checking, as sliding a window
 * forward to the next send never loses one.
 */
export function maxSendsInAnyWindow(times: readonly number[], windowMs = 1000): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let start = 0, end = 0; start < sorted.length; start++) {
    while (end < sorted.length && sorted[end]! < sorted[start]! + windowMs) end++;
    most = Math.max(most, end - start);
  }
  return most;
}
