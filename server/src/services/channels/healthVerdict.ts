/** One sentence on whether SES events reach Herald, and its tone for the badge. */
export type Verdict = { state: 'working' | 'waiting' | 'silent' | 'not-set-up' | 'stopped' | 'not-connected' | 'ready'; text: string };

export type HealthFacts = {
  connected: boolean;
  webhookUrl: string;
  setup: { topicArn: string | null; setupAt: string | null; error: string | null };
  subscription: { confirmedAt: string | null; unsubscribedAt: string | null } | null;
  lastEvent: { at: string; type: string } | null;
  eventsLast24h: { total: number };
  sentLast24h: number;
};

const count = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

export function sinceText(from: Date, now: Date): string {
  const minutes = Math.max(0, Math.round((now.getTime() - from.getTime()) / 60_000));
  if (minutes < 60) return count(Math.max(1, minutes), 'minute');
  const hours = Math.round(minutes / 60);
  return hours < 48 ? count(hours, 'hour') : count(Math.round(hours / 24), 'day');
}

/**
 * The health panel's verdict, decided from the same facts the panel shows,
 * in order of what matters most: a removed subscription, events arriving,
 * setup in progress, nothing set up, and silence despite sends.
 */
export function healthVerdict(f: HealthFacts, now: Date): Verdict {
  if (!f.connected) return { state: 'not-connected', text: 'Connect Amazon SES to see whether its events reach Herald.' };
  const sub = f.subscription;
  if (sub?.unsubscribedAt && (!sub.confirmedAt || sub.unsubscribedAt >= sub.confirmedAt)) {
    return { state: 'stopped', text: `Events stopped: Amazon SNS removed the subscription ${sinceText(new Date(sub.unsubscribedAt), now)} ago. Set up event tracking again.` };
  }
  if (f.eventsLast24h.total > 0) return { state: 'working', text: `Working: ${count(f.eventsLast24h.total, 'event')} in the last 24 h.` };
  if (!sub?.confirmedAt) {
    if (f.setup.topicArn && !f.setup.error) {
      return { state: 'waiting', text: `Waiting for Amazon SNS to confirm the subscription of ${f.webhookUrl}.` };
    }
    if (f.setup.error) return { state: 'not-set-up', text: `Event tracking is not set up: ${f.setup.error}` };
    return f.sentLast24h > 0
      ? { state: 'not-set-up', text: `Not set up: ${count(f.sentLast24h, 'email was', 'emails were')} sent in the last 24 h, but Herald sees no deliveries, bounces, complaints, opens or clicks. Set up event tracking.` }
      : { state: 'not-set-up', text: 'Not set up: Herald cannot see deliveries, bounces, complaints, opens or clicks yet. Set up event tracking.' };
  }
  if (f.sentLast24h > 0) {
    const quiet = f.lastEvent ? `No events for ${sinceText(new Date(f.lastEvent.at), now)}` : 'No events yet';
    return { state: 'silent', text: `${quiet} although ${count(f.sentLast24h, 'email was', 'emails were')} sent: check the event destination.` };
  }
  return f.lastEvent
    ? { state: 'ready', text: `Ready: subscription confirmed; no emails sent in the last 24 h (last event ${sinceText(new Date(f.lastEvent.at), now)} ago).` }
    : { state: 'ready', text: 'Ready: subscription confirmed. Send the test emails to see events arrive.' };
}
