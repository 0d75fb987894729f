/**
 * Resident memory of the soak's processes, sampled once a minute, and its
 * growth from the end of the warm-up to the end of the run.
 */
import { rssMb } from '../procs.js';

export type Watched = { name: string; pid: number };

export function newRssLog(watched: Watched[]) {
  const rows: number[][] = [];
  return {
    /** One sample of every process, MB (0 for one that is gone). */
    sample: (): number[] => {
      const row = watched.map((w) => {
        try {
          return rssMb(w.pid);
        } catch {
          return 0;
        }
      });
      rows.push(row);
      return row;
    },
    rows,
    /** Per process: RSS at minute `from` and at the last sample, and the growth between as a fraction. */
    growth: (from: number) =>
      watched.map((w, i) => {
        const start = rows[Math.min(from, rows.length - 1)]?.[i] ?? 0;
        const end = rows.at(-1)?.[i] ?? 0;
        return { name: w.name, start, end, growth: start > 0 ? end / start - 1 : Infinity };
      }),
  };
}
