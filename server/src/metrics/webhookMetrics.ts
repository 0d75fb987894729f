import { Counter, Histogram, type Registry } from 'prom-client';
import { SES_EVENT_TYPES, type SesEventType } from '../events/sesEvent.js';
import { REFUSAL_REASONS, type RefusalReason } from '../webhooks/refusals.js';

/**
 * What the webhook did with a delivery it answered 200: stored a new SES
 * event, recognised a redelivery, handled a subscription (un)confirmation,
 * or noted SES's "topic set" notice.
 */
export const WEBHOOK_ACCEPTS = ['event', 'duplicate', 'subscription', 'notice'] as const;
export type WebhookAccept = (typeof WEBHOOK_ACCEPTS)[number];

export type WebhookMetrics = {
  accepted: (outcome: WebhookAccept, eventType?: SesEventType) => void;
  refused: (reason: RefusalReason) => void;
  /** Answered 5xx (could not store, fetch a certificate or confirm right now): SNS delivers it again. */
  unavailable: () => void;
  /** Seconds from the request's arrival to its answer, whatever the answer. */
  answered: (seconds: number) => void;
};

/** Per delivery, one increment of a child resolved at start: the webhook is Herald's busiest route. */
export function createWebhookMetrics(registry: Registry): WebhookMetrics {
  const accepted = new Counter({
    name: 'herald_webhook_accepted_total',
    help: 'SNS deliveries answered 200, by outcome: event (new SES event stored), duplicate (redelivery), subscription, notice.',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const refused = new Counter({
    name: 'herald_webhook_refused_total',
    help: 'SNS deliveries refused (4xx), by reason; SNS does not retry them.',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const unavailable = new Counter({
    name: 'herald_webhook_unavailable_total',
    help: 'SNS deliveries answered 5xx because Herald could not store or confirm them right now; SNS retries them.',
    registers: [registry],
  });
  const events = new Counter({
    name: 'herald_ses_events_received_total',
    help: 'New SES events stored by the webhook, by SES event type.',
    labelNames: ['event_type'] as const,
    registers: [registry],
  });

  // SNS gives up on a delivery attempt after 15 s; the 0.1 s bucket is the latency goal (docs/benchmarks.md).
  const duration = new Histogram({
    name: 'herald_webhook_duration_seconds',
    help: 'Seconds from an SNS delivery reaching Herald to its answer (storing the event included).',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15],
    registers: [registry],
  });

  const acceptedChildren = Object.fromEntries(WEBHOOK_ACCEPTS.map((o) => [o, accepted.labels(o)])) as Record<WebhookAccept, Counter.Internal>;
  const refusedChildren = Object.fromEntries(REFUSAL_REASONS.map((r) => [r, refused.labels(r)])) as Record<RefusalReason, Counter.Internal>;
  const eventChildren = Object.fromEntries(SES_EVENT_TYPES.map((t) => [t, events.labels(t)])) as Record<SesEventType, Counter.Internal>;
  for (const child of [...Object.values(acceptedChildren), ...Object.values(refusedChildren), ...Object.values(eventChildren)]) child.inc(0);
  unavailable.inc(0);

  return {
    accepted: (outcome, eventType) => {
      acceptedChildren[outcome].inc();
      if (eventType) eventChildren[eventType].inc();
    },
    refused: (reason) => refusedChildren[reason].inc(),
    unavailable: () => unavailable.inc(),
    answered: (seconds) => duration.observe(seconds),
  };
}
