import { describe, expect, it } from 'vitest';
import { healthVerdict, type HealthFacts } from './healthVerdict.js';

const now = new Date('2026-12-04T12:00:00Z');
const facts = (patch: Partial<HealthFacts> = {}): HealthFacts => ({
  connected: true,
  webhookUrl: 'https://herald.example.com/webhooks/email',
  setup: { topicArn: null, setupAt: null, error: null },
  subscription: null,
  lastEvent: null,
  eventsLast24h: { total: 0 },
  sentLast24h: 0,
  ...patch,
});
const confirmed = { confirmedAt: '2026-12-01T00:00:00Z', unsubscribedAt: null };

describe('healthVerdict', () => {
  it('says working with the count when events arrived in the last 24 h, whoever set it up', () => {
    expect(healthVerdict(facts({ subscription: confirmed, eventsLast24h: { total: 1204 } }), now)).toEqual({ state: 'working', text: 'Working: 1,204 events in the last 24 h.' });
    expect(healthVerdict(facts({ eventsLast24h: { total: 1 } }), now).text).toBe('Working: 1 event in the last 24 h.');
  });

  it('names how long it has been quiet and how many emails went out when a confirmed subscription is silent', () => {
    const v = healthVerdict(facts({ subscription: confirmed, sentLast24h: 5000, lastEvent: { at: '2026-12-01T12:00:00Z', type: 'Delivery' } }), now);
    expect(v).toEqual({ state: 'silent', text: 'No events for 3 days although 5,000 emails were sent: check the event destination.' });
  });

  it('waits for SNS after setup, and reports a setup that stopped', () => {
    expect(healthVerdict(facts({ setup: { topicArn: 'arn:aws:sns:us-east-1:1:herald-events', setupAt: now.toISOString(), error: null } }), now).state).toBe('waiting');
    const failed = healthVerdict(facts({ setup: { topicArn: null, setupAt: null, error: 'Subscribing failed: AccessDenied' } }), now);
    expect(failed).toEqual({ state: 'not-set-up', text: 'Event tracking is not set up: Subscribing failed: AccessDenied' });
  });

  it('says not set up, mentioning sends that went untracked', () => {
    expect(healthVerdict(facts(), now).state).toBe('not-set-up');
    expect(healthVerdict(facts({ sentLast24h: 40 }), now).text).toMatch(/^Not set up: 40 emails were sent in the last 24 h/);
  });

  it('says stopped when SNS removed the subscription after confirming it, even with earlier events', () => {
    const v = healthVerdict(facts({ subscription: { confirmedAt: '2026-12-01T00:00:00Z', unsubscribedAt: '2026-12-04T10:00:00Z' }, eventsLast24h: { total: 3 } }), now);
    expect(v).toEqual({ state: 'stopped', text: 'Events stopped: Amazon SNS removed the subscription 2 hours ago. Set up event tracking again.' });
  });

  it('is ready when confirmed and nothing was sent, and asks to connect first', () => {
    expect(healthVerdict(facts({ subscription: confirmed }), now).state).toBe('ready');
    expect(healthVerdict(facts({ connected: false }), now).state).toBe('not-connected');
  });
});
