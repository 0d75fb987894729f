import type { Sql } from 'postgres';
import type { Logger } from '../logging/logger.js';
import type { RefusalReason } from './refusals.js';

export type RefusalCounter = {
  record: (accountId: string | null, reason: RefusalReason) => void;
  /** Writes what was counted since the last flush (shutdown, tests). */
  flush: () => Promise<void>;
  close: () => Promise<void>;
};

/** Distinct (account, reason) pairs held between flushes; beyond it a forged flood counts under no account. */
const MAX_KEYS = 1_000;
const FLUSH_MS = 1_000;

/**
 * Counts refused SNS deliveries in memory and adds them to
 * `webhook_refusals` once a second, so that a flood of forged posts costs
 * one upsert per second instead of one write each. A refusal whose account
 * is unknown is counted under '' (platform-wide only).
 */
export function createRefusalCounter(deps: { sql: Sql; logger: Logger }): RefusalCounter {
  let counts = new Map<string, { account: string; reason: RefusalReason; count: number }>();
  let flushing: Promise<void> = Promise.resolve();

  const write = async (batch: typeof counts) => {
    if (batch.size === 0) return;
    const rows = [...batch.values()].sort((a, b) => (a.account + a.reason < b.account + b.reason ? -1 : 1));
    try {
      await deps.sql`
        insert into webhook_refusals (aws_account_id, reason, hour, count)
        select r.account, r.reason, date_trunc('hour', now()), r.count
        from jsonb_to_recordset(${JSON.stringify(rows)}::text::jsonb) as r(account text, reason text, count int)
        on conflict (aws_account_id, reason, hour) do update set count = webhook_refusals.count + excluded.count`;
    } catch (err) {
      deps.logger.warn({ err }, 'webhook refusal counts could not be stored');
    }
  };
  const flush = () => {
    const batch = counts;
    counts = new Map();
    flushing = flushing.then(() => write(batch));
    return flushing;
  };
  const timer = setInterval(() => void flush(), FLUSH_MS);
  timer.unref();

  return {
    record(accountId, reason) {
      let account = accountId ?? '';
      if (!counts.has(`${account} ${reason}`) && counts.size >= MAX_KEYS) account = '';
      const key = `${account} ${reason}`;
      const entry = counts.get(key) ?? { account, reason, count: 0 };
      entry.count += 1;
      counts.set(key, entry);
    },
    flush,
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}
