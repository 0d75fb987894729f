import { Counter, Histogram, type Registry } from 'prom-client';

export type EventMetrics = {
  /**
   * One committed processing batch: how many events were applied to a
   * message, email or test send and how many named nothing Herald knows
   * (orphans), and how long each had waited since the webhook stored it.
   */
  processed: (applied: number, orphans: number, waitedSeconds: readonly number[]) => void;
};

/** Events should be applied within a second (processingScheduler.ts, pendingSweep.ts); longer means a backlog. */
const DELAY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];

export function createEventMetrics(registry: Registry): EventMetrics {
  const processed = new Counter({
    name: 'herald_events_processed_total',
    help: 'SES events processed, by result: applied (to a message, email or test send) or orphan (names nothing Herald sent).',
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
  applied.inc(0);
  orphan.inc(0);

  return {
    processed: (appliedCount, orphans, waitedSeconds) => {
      if (appliedCount > 0) applied.inc(appliedCount);
      if (orphans > 0) orphan.inc(orphans);
      for (const seconds of waitedSeconds) delay.observe(seconds);
    },
  };
}
