/**
 * The webhook's latency as the API process itself measured it
 * (`herald_webhook_duration_seconds`), scraped once a minute. Beside the
 * load client's figures it tells Herald's own time from the time an answer
 * waited for the client's turn on a busy machine.
 */
import { parseExposition } from '../../server/test/prometheusMetrics.js';

export type ServerMinute = { answered: number; over100ms: number; p99UpTo: number | null };

const NAME = 'herald_webhook_duration_seconds_bucket';

export function newServerLatencyLog(baseUrl: string, token: string) {
  let last = new Map<number, number>();
  const read = async (): Promise<Map<number, number>> => {
    const res = await fetch(`${baseUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`GET /metrics answered ${res.status}`);
    const buckets = parseExposition(await res.text()).filter((s) => s.name === NAME);
    return new Map(buckets.map((s) => [s.labels.le === '+Inf' ? Infinity : Number(s.labels.le), s.value]));
  };
  return {
    /** What the API answered since the last call; null when it could not be scraped (its database is away, say). */
    minute: async (): Promise<ServerMinute | null> => {
      const now = await read().catch(() => null);
      if (!now) return null;
      // Cumulative counts per upper bound, this minute only (a restarted API would start from 0: taken whole).
      const cumulative = [...now].sort((a, b) => a[0] - b[0]);
      const since = cumulative.map(([le, n]) => [le, n - (last.get(le) ?? 0)] as const);
      const counts = since.some(([, n]) => n < 0) ? cumulative : since;
      last = now;
      const answered = counts.at(-1)?.[1] ?? 0;
      const within100 = counts.find(([le]) => le === 0.1)?.[1] ?? 0;
      const p99 = counts.find(([, n]) => n >= 0.99 * answered);
      return { answered, over100ms: answered - within100, p99UpTo: answered === 0 || !p99 ? null : p99[0] * 1000 };
    },
  };
}
