/**
 * Where a tenant's recent bounce and complaint rates put it. Amazon SES
 * reviews an account (and may pause it, for every campaign of the tenant)
 * at about 5 % bounces or 0.1 % complaints; Herald warns well before and
 * pauses at those levels, so the tenant cleans its lists before SES acts.
 * SES's bounce rate counts hard (permanent) bounces only.
 */
export const REPUTATION_THRESHOLDS = {
  bounceWarning: 0.02,
  bouncePause: 0.05,
  complaintWarning: 0.0005,
  complaintPause: 0.001,
} as const;

/** Sends older than this no longer count (SES looks at a similar recent window). */
export const REPUTATION_WINDOW_DAYS = 7;

export type ReputationState = 'ok' | 'warning' | 'paused';
export type ReputationCounts = { sends: number; bounces: number; complaints: number };
export type ReputationVerdict = {
  state: ReputationState;
  /** Null with no sends at all; below the minimum sample they are shown but do not count. */
  bounceRate: number | null;
  complaintRate: number | null;
  /** Plain words for the owner; null when all is well. */
  reason: string | null;
};

const RANK: Record<ReputationState, number> = { ok: 0, warning: 1, paused: 2 };

/** 0.0621 → "6.2 %", 0.0012 → "0.12 %" (small rates need the second decimal). */
export function percent(rate: number): string {
  const value = rate * 100;
  return `${String(Number(value.toFixed(value < 1 ? 2 : 1)))} %`;
}

type Metric = { name: 'Bounce' | 'Complaint'; rate: number; warning: number; pause: number };

const levelOf = (m: Metric): ReputationState => (m.rate >= m.pause ? 'paused' : m.rate >= m.warning ? 'warning' : 'ok');
const comparedTo = (rate: number, limit: number) => `${rate > limit ? 'above' : 'at'} ${percent(limit)}`;

export function judgeReputation(counts: ReputationCounts, minSends: number): ReputationVerdict {
  const bounceRate = counts.sends > 0 ? counts.bounces / counts.sends : null;
  const complaintRate = counts.sends > 0 ? counts.complaints / counts.sends : null;
  if (bounceRate === null || complaintRate === null || counts.sends < minSends) return { state: 'ok', bounceRate, complaintRate, reason: null };

  const t = REPUTATION_THRESHOLDS;
  const metrics: Metric[] = [
    { name: 'Bounce', rate: bounceRate, warning: t.bounceWarning, pause: t.bouncePause },
    { name: 'Complaint', rate: complaintRate, warning: t.complaintWarning, pause: t.complaintPause },
  ];
  const state = metrics.map(levelOf).reduce((a, b) => (RANK[b] > RANK[a] ? b : a), 'ok' as ReputationState);
  const over = `over the last ${counts.sends.toLocaleString('en-US')} sends`;
  const offending = metrics.filter((m) => levelOf(m) === state);
  if (state === 'paused') {
    const facts = offending.map((m) => `${m.name} rate ${percent(m.rate)} ${over} is ${comparedTo(m.rate, m.pause)}`).join('; ');
    return { state, bounceRate, complaintRate, reason: `${facts}: Herald paused sending before Amazon SES reviews your account. Clean your list, then resume.` };
  }
  if (state === 'warning') {
    const facts = offending
      .map((m) => `${m.name} rate ${percent(m.rate)} ${over} is ${comparedTo(m.rate, m.warning)} (Herald pauses sending at ${percent(m.pause)})`)
      .join('; ');
    return { state, bounceRate, complaintRate, reason: `${facts}. Remove addresses that bounce or complain before your next campaign.` };
  }
  return { state, bounceRate, complaintRate, reason: null };
}
