import { Counter, Histogram, type Registry } from 'prom-client';
import type { SendFailureKind } from '../ses/sendError.js';
import type { TenantSends } from './tenantSends.js';

/** Which pipeline a send belongs to. Test emails (a handful per click) are not counted. */
export type SendKind = 'campaign' | 'transactional';
/** What became of the message after the attempt: `requeued` ones are tried again later. */
export type SendOutcome = 'sent' | 'requeued' | 'failed' | 'unknown';
/** `none` for a send SES accepted; `render` for a message that could not be built (no SES call). */
export type SendErrorClass = SendFailureKind | 'none' | 'render';
export type SlotResult = 'granted' | 'deferred' | 'missed';

export type SendMetrics = {
  /**
   * Counts `n` sends of one tenant that ended alike; callers add up a batch
   * first and call this once per kind of end. Throttling answers (error class
   * throttled or quota) are also counted in herald_ses_throttles_total, and
   * the tenant's sends in herald_tenant_sends_total when METRICS_TENANT_LABELS allows.
   */
  sends: (kind: SendKind, tenantId: string, outcome: SendOutcome, errorClass: SendErrorClass, n?: number) => void;
  /** One SendRawEmail call, however it ended, and how long it took. */
  sesCall: (kind: SendKind, ok: boolean, seconds: number) => void;
  /** Slots of the tenant's rate limiter: granted, deferred (the rate is taken further ahead than a batch may wait) or missed (the process was late). */
  slots: (kind: SendKind, result: SlotResult, n: number) => void;
  /** Time sends spent waiting for their granted slots, summed. */
  waited: (kind: SendKind, seconds: number) => void;
};

const KINDS: readonly SendKind[] = ['campaign', 'transactional'];

/** The ends that can happen, created at zero so rate() has a series from the first scrape. */
const EXPECTED: ReadonlyArray<[SendOutcome, SendErrorClass]> = [
  ['sent', 'none'],
  ['requeued', 'throttled'],
  ['requeued', 'quota'],
  ['requeued', 'account'],
  ['requeued', 'transient'],
  ['failed', 'transient'],
  ['failed', 'permanent'],
  ['failed', 'account'],
  ['failed', 'render'],
  ['unknown', 'unknown'],
];

/** SendRawEmail answers in tens of milliseconds; the request timeout is 15 s by default. */
const SES_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30];

/**
 * Counters of the send pipelines. Every label is a small fixed set (no
 * tenant, campaign or address), and label children are resolved once and
 * kept, so a batch costs a few increments.
 */
export function createSendMetrics(registry: Registry, tenantSends: TenantSends): SendMetrics {
  const sends = new Counter({
    name: 'herald_sends_total',
    help: 'Send attempts by pipeline, what became of the message (sent, requeued, failed, unknown) and the class of SES error (none when sent).',
    labelNames: ['kind', 'outcome', 'error_class'] as const,
    registers: [registry],
  });
  const ses = new Histogram({
    name: 'herald_ses_send_duration_seconds',
    help: 'Duration of SendRawEmail calls to Amazon SES, by pipeline and result (ok or error).',
    labelNames: ['kind', 'result'] as const,
    buckets: SES_BUCKETS,
    registers: [registry],
  });
  const throttles = new Counter({
    name: 'herald_ses_throttles_total',
    help: 'SES Throttling answers: the per-second rate (rate) or the 24-hour quota (daily_quota).',
    labelNames: ['kind', 'limit'] as const,
    registers: [registry],
  });
  const slots = new Counter({
    name: 'herald_rate_slots_total',
    help: "Send slots of tenants' rate limiters: granted, deferred (rate taken further ahead than a batch waits) or missed (the process woke too late).",
    labelNames: ['kind', 'result'] as const,
    registers: [registry],
  });
  const waited = new Counter({
    name: 'herald_rate_wait_seconds_total',
    help: 'Seconds sends waited for their rate-limiter slot, summed (divide by granted slots for the mean wait).',
    labelNames: ['kind'] as const,
    registers: [registry],
  });

  const sendChildren = new Map<string, Counter.Internal>();
  const sendChild = (kind: SendKind, outcome: SendOutcome, errorClass: SendErrorClass) => {
    const key = `${kind} ${outcome} ${errorClass}`;
    let child = sendChildren.get(key);
    if (!child) {
      child = sends.labels(kind, outcome, errorClass);
      sendChildren.set(key, child);
    }
    return child;
  };
  const byKind = <T>(make: (kind: SendKind) => T): Record<SendKind, T> => ({ campaign: make('campaign'), transactional: make('transactional') });
  const sesChildren = byKind((kind) => ({ ok: ses.labels(kind, 'ok'), error: ses.labels(kind, 'error') }));
  const throttleChildren = byKind((kind) => ({ rate: throttles.labels(kind, 'rate'), daily_quota: throttles.labels(kind, 'daily_quota') }));
  const slotChildren = byKind((kind) => ({ granted: slots.labels(kind, 'granted'), deferred: slots.labels(kind, 'deferred'), missed: slots.labels(kind, 'missed') }));
  const waitChildren = byKind((kind) => waited.labels(kind));

  for (const kind of KINDS) {
    for (const [outcome, errorClass] of EXPECTED) sendChild(kind, outcome, errorClass).inc(0);
    for (const child of Object.values(throttleChildren[kind])) child.inc(0);
    for (const child of Object.values(slotChildren[kind])) child.inc(0);
    waitChildren[kind].inc(0);
    for (const result of ['ok', 'error'] as const) ses.zero({ kind, result });
  }

  return {
    sends: (kind, tenantId, outcome, errorClass, n = 1) => {
      sendChild(kind, outcome, errorClass).inc(n);
      tenantSends(tenantId, outcome, n);
      if (errorClass === 'throttled') throttleChildren[kind].rate.inc(n);
      if (errorClass === 'quota') throttleChildren[kind].daily_quota.inc(n);
    },
    sesCall: (kind, ok, seconds) => (ok ? sesChildren[kind].ok : sesChildren[kind].error).observe(seconds),
    slots: (kind, result, n) => {
      if (n > 0) slotChildren[kind][result].inc(n);
    },
    waited: (kind, seconds) => {
      if (seconds > 0) waitChildren[kind].inc(seconds);
    },
  };
}

/**
 * A batch's ends, added up while it runs and counted once at its end
 * (`record`): nothing is allocated per message, one increment per distinct
 * end.
 */
export function createSendTally(): {
  add: (outcome: SendOutcome, errorClass: SendErrorClass) => void;
  record: (metrics: SendMetrics, kind: SendKind, tenantId: string) => void;
} {
  const counts: Partial<Record<SendOutcome, Partial<Record<SendErrorClass, number>>>> = {};
  return {
    add(outcome, errorClass) {
      const byClass = (counts[outcome] ??= {});
      byClass[errorClass] = (byClass[errorClass] ?? 0) + 1;
    },
    record(metrics, kind, tenantId) {
      for (const [outcome, byClass] of Object.entries(counts) as [SendOutcome, Partial<Record<SendErrorClass, number>>][]) {
        for (const [errorClass, n] of Object.entries(byClass) as [SendErrorClass, number][]) metrics.sends(kind, tenantId, outcome, errorClass, n);
      }
    },
  };
}
