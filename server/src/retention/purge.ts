import type { Sql } from 'postgres';
import type { RetentionSettings } from '../env.js';
import { daysBefore, type Pace } from './batches.js';
import { purgeImportFiles } from './importFiles.js';
import { purgeMessageEvents } from './messageEvents.js';
import { purgeWebhookRefusals } from './webhookRefusals.js';
import type { Logger } from '../logging/logger.js';

/** Rows each kind of data lost in one run; null where the setting keeps it forever. */
export type RetentionResult = {
  messageEvents: number | null;
  webhookRefusals: number | null;
  importUploads: number | null;
  importChunks: number | null;
  /** The run stopped at its deadline, at shutdown or on a lock, with rows possibly left: the next run continues. */
  stoppedEarly: boolean;
};

export type RetentionDeps = { sql: Sql; logger: Logger; now: () => Date };

export type RetentionOptions = {
  settings: RetentionSettings;
  /** Rows per transaction. A few thousand keep each transaction well under a second. */
  batchSize: number;
  /** Milliseconds the run may take; it stops starting batches after that. */
  budgetMs: number;
  /** Pause after each batch, as a multiple of the batch's time (Pace.rest); 0 by default. */
  rest?: number;
  signal?: AbortSignal | undefined;
  onBatch?: Pace['onBatch'];
};

/**
 * One retention run: the small tables first (they finish in moments), then
 * message_events with whatever time is left. A table whose batch gave up on
 * a lock is left for the next run; the others still run. Any other error
 * fails the run (the job records it; the next hour's run starts afresh).
 */
export async function runRetention(deps: RetentionDeps, opts: RetentionOptions): Promise<RetentionResult> {
  const pace: Pace = { batchSize: opts.batchSize, deadline: performance.now() + opts.budgetMs, rest: opts.rest ?? 0, signal: opts.signal, onBatch: opts.onBatch, gaveUp: [] };
  const { settings } = opts;
  const now = deps.now();
  const result: RetentionResult = { messageEvents: null, webhookRefusals: null, importUploads: null, importChunks: null, stoppedEarly: false };

  if (settings.importFilesDays !== null) {
    const files = await purgeImportFiles(deps.sql, daysBefore(now, settings.importFilesDays), pace);
    result.importUploads = files.uploads;
    result.importChunks = files.chunks;
  }
  if (settings.webhookRefusalsDays !== null) {
    result.webhookRefusals = await purgeWebhookRefusals(deps.sql, daysBefore(now, settings.webhookRefusalsDays), pace);
  }
  if (settings.messageEventsDays !== null) {
    result.messageEvents = await purgeMessageEvents(deps.sql, daysBefore(now, settings.messageEventsDays), pace);
  }
  for (const { table, reason } of pace.gaveUp) {
    deps.logger.warn({ table, reason }, 'retention gave up on a batch (a lock or the statement timeout); the next run retries');
  }
  if (performance.now() >= pace.deadline || opts.signal?.aborted || pace.gaveUp.length > 0) result.stoppedEarly = true;
  return result;
}
