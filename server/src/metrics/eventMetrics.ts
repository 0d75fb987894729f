import { Counter, Histogram, type Registry } from 'prom-client';

/**
 * One committed processing batch: events applied to a message, email or test send; events that named
 * nothing Herald knows (orphans); and orphans applied once their send's outcome named their SES message
 * id (rematched, already counted as orphans). applied + orphans is the number of distinct events.
 */
export type ProcessedCounts = { applied: number; orphans: number; rematched: number };

export type EventMetrics = {
  /** A committed batch's counts, and how long each newly processed event had waited since the webhook stored it. */
  processed: (counts: ProcessedCounts, waitedSeconds: readonly number[]) => void;
};

/** Events should be applied within a second (eventDrain.ts, pendingSweep.ts); longer means a backlog. */
const DELAY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];

export function createEventMetrics(registry: Registry): EventMetrics {
  const processed = new Counter({
    name: 'herald_events_processed_total',
    help:
      'SES events processed, by result: applied (to a message, email or test send), orphan (named nothing Herald sent when processed), ' +
      'rematched (an orphan applied once its send was recorded; it was counted as orphan first).',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const delay = new Histogram({
    name: 'herald_event_processing_delay_seconds',
    help: 'Time from the webhook storing an SES event to its processing: the lag of live metrics, suppressions and the reputation guard.',
    buckets: DELAY_BUCKETS,
    registers: [registry],
  });
  const applied = processed.labels('applied');
  const orphan = processed.labels('orphan');
  const rematched = processed.labels('rematched');
  for (const c of [applied, orphan, rematched]) c.inc(0);

  return {
    processed: (counts, waitedSeconds) => {
      if (counts.applied > 0) applied.inc(counts.applied);
      if (counts.orphans > 0) orphan.inc(counts.orphans);
      if (counts.rematched > 0) rematched.inc(counts.rematched);
      for (const seconds of waitedSeconds) delay.observe(seconds);
    },
  };
}
