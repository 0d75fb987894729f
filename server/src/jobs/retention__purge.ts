import { runRetention } from '../retention/purge.js';
import { defineTask } from './defineTask.js';

/** Rows per transaction: a batch of message events takes tens of milliseconds (docs/benchmarks.md, retention). */
export const RETENTION_BATCH_SIZE = 2000;
/** A run's time; a backlog (retention switched on over a large table) clears over the following runs. */
export const RETENTION_BUDGET_MS = 5 * 60_000;
/** A pause as long as each batch: the purge takes at most about half of one connection's time. */
export const RETENTION_REST = 1;

/**
 * Hourly (crontab in jobs/index.ts, queue `retention`, so two workers never
 * run it at once): deletes message events, webhook refusal counters and
 * import files older than their RETENTION_* setting.
 */
export const retentionPurge = defineTask('retention__purge', async (deps, _payload, helpers) => {
  const started = performance.now();
  const result = await runRetention(deps, {
    settings: deps.env.retention,
    batchSize: RETENTION_BATCH_SIZE,
    budgetMs: RETENTION_BUDGET_MS,
    rest: RETENTION_REST,
    signal: helpers.abortSignal,
  });
  deps.logger.info({ removed: result, ms: Math.round(performance.now() - started) }, 'retention run finished');
});
