import type { Sql } from 'postgres';
import type { RetentionSettings } from '../env.js';
import { daysBefore, isGiveUp, type Pace } from './batches.js';
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
  /** The run stopped at its deadline (or shutdown) with rows possibly left: the next run continues. */
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
 * a lock is left for the next run; the others still run.
 */
export async function runRetention(deps: RetentionDeps, opts: RetentionOptions): Promise<RetentionResult> {
  const pace: Pace = { batchSize: opts.batchSize, deadline: performance.now() + opts.budgetMs, rest: opts.rest ?? 0, signal: opts.signal, onBatch: opts.onBatch };
  const { settings } = opts;
  const now = deps.now();
  const result: RetentionResult = { messageEvents: null, webhookRefusals: null, importUploads: null, importChunks: null, stoppedEarly: false };

  const guarded = async <T>(table: string, purge: () => Promise<T>, empty: T): Promise<T> => {
    try {
      return await purge();
    } catch (err) {
      if (!isGiveUp(err)) throw err;
      deps.logger.warn({ table, err }, 'retention gave up on a batch (lock or timeout); the next run retries');
      result.stoppedEarly = true;
      return empty;
    }
  };

  if (settings.importFilesDays !== null) {
    const cutoff = daysBefore(now, settings.importFilesDays);
    const files = await guarded('import_chunks', () => purgeImportFiles(deps.sql, cutoff, pace), { uploads: 0, chunks: 0 });
    result.importUploads = files.uploads;
    result.importChunks = files.chunks;
  }
  if (settings.webhookRefusalsDays !== null) {
    const cutoff = daysBefore(now, settings.webhookRefusalsDays);
    result.webhookRefusals = await guarded('webhook_refusals', () => purgeWebhookRefusals(deps.sql, cutoff, pace), 0);
  }
  if (settings.messageEventsDays !== null) {
    const cutoff = daysBefore(now, settings.messageEventsDays);
    result.messageEvents = await guarded('message_events', () => purgeMessageEvents(deps.sql, cutoff, pace), 0);
  }
  if (performance.now() >= pace.deadline || opts.signal?.aborted) result.stoppedEarly = true;
  return result;
}
